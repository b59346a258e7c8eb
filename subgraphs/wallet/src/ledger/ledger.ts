import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@casino/kernel/db/errors";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import { outboxRow } from "@casino/kernel/events/outbox";
import { INT64_MAX, toGraphQLMoney, type Money } from "@casino/kernel/money";
import type { LedgerTransaction, Prisma, PrismaClient } from "../generated/prisma/client.ts";
import {
  assertBalanced,
  assertIdempotencyKey,
  chainHash,
  genesisHash,
  requestHash,
  type AccountKey,
  type Leg,
} from "./rules.ts";

type Tx = Prisma.TransactionClient;

export interface PostCommand {
  type: LedgerTransaction["type"];
  playerId: string;
  currency: string;
  idempotencyKey: string;
  /** The player's cash leg; the counter-leg goes to `counterAccount`. */
  cashDelta: bigint;
  counterAccount: AccountKey;
  reference: Record<string, unknown>;
}

export interface BalanceSnapshot {
  playerId: string;
  version: bigint;
  changed: Money;
  balances: Money[];
}

/**
 * The wallet's write path. Each command is one database transaction that locks the player's wallet
 * row, checks the idempotency key, applies the postings to the player's projections (guarded so a
 * player balance can never go negative), appends the transaction to the player's hash chain and
 * writes its events to the outbox.
 */
export class Ledger {
  private readonly operatorAccounts = new Map<string, string>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publishOutbox: () => void,
  ) {}

  /** Creates the wallet and its first cash account; a no-op when it exists. */
  async openWallet(tx: Tx, playerId: string, currency: string): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO wallet (player_id, default_currency, version, head_hash)
      VALUES (${playerId}::uuid, ${currency}, 0, ${genesisHash(playerId)})
      ON CONFLICT (player_id) DO NOTHING`;
    await this.ensureAccount(tx, { type: "PLAYER_CASH", currency, ref: playerId }, playerId);
  }

  async adjustBalance(cmd: {
    playerId: string;
    amount: Money;
    reason: string;
    staffId: string;
    idempotencyKey: string;
  }): Promise<LedgerTransaction> {
    const reason = cmd.reason.trim();
    if (reason.length < 3 || reason.length > 500) throw badInput("reason must be 3-500 characters", "reason");
    if (cmd.amount.minor === 0n) throw badInput("amount must not be zero", "amount");
    return this.post({
      type: "MANUAL_ADJUSTMENT",
      playerId: cmd.playerId,
      currency: cmd.amount.currency,
      idempotencyKey: `adjust:${assertIdempotencyKey(cmd.idempotencyKey)}`,
      cashDelta: cmd.amount.minor,
      counterAccount: { type: "OPERATOR_MANUAL_ADJUSTMENT", currency: cmd.amount.currency, ref: "" },
      reference: { staffUserId: cmd.staffId, reason },
    });
  }

  /** Applies a command exactly once per idempotency key; a replay returns the first result. */
  async post(cmd: PostCommand): Promise<LedgerTransaction> {
    const hash = requestHash({
      type: cmd.type,
      playerId: cmd.playerId,
      currency: cmd.currency,
      cashDelta: cmd.cashDelta,
      counterAccount: cmd.counterAccount,
      reference: cmd.reference,
    });
    try {
      const result = await this.prisma.$transaction((tx) => this.postInTx(tx, cmd, hash));
      this.publishOutbox();
      return result;
    } catch (err) {
      // Two first attempts of one key raced past the check; the loser reads the winner's result.
      if (isUniqueViolation(err)) {
        const existing = await this.prisma.ledgerTransaction.findUnique({ where: { idempotencyKey: cmd.idempotencyKey } });
        if (existing) return this.replay(existing, hash);
      }
      throw err;
    }
  }

  private replay(existing: LedgerTransaction, hash: string): LedgerTransaction {
    if (existing.requestHash !== hash) {
      throw appError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was already used with different inputs");
    }
    return existing;
  }

  private async postInTx(tx: Tx, cmd: PostCommand, hash: string): Promise<LedgerTransaction> {
    const [wallet] = await tx.$queryRaw<Array<{ version: bigint; head_hash: string }>>`
      SELECT version, head_hash FROM wallet WHERE player_id = ${cmd.playerId}::uuid FOR UPDATE`;
    if (!wallet) throw notFound("Wallet");
    // Checked under the wallet lock: a concurrent first attempt of the same key has committed by now.
    const existing = await tx.ledgerTransaction.findUnique({ where: { idempotencyKey: cmd.idempotencyKey } });
    if (existing) return this.replay(existing, hash);

    const cashKey: AccountKey = { type: "PLAYER_CASH", currency: cmd.currency, ref: cmd.playerId };
    const legs: Leg[] = [
      { account: cashKey, amount: cmd.cashDelta },
      { account: cmd.counterAccount, amount: -cmd.cashDelta },
    ];
    assertBalanced(legs);

    const cashId = await this.ensureAccount(tx, cashKey, cmd.playerId);
    const counterId = await this.ensureAccount(tx, cmd.counterAccount, null);
    const [cash] = await tx.$queryRaw<Array<{ balance: bigint }>>`
      UPDATE account SET balance = balance + ${cmd.cashDelta}
      WHERE id = ${cashId}::uuid AND balance + ${cmd.cashDelta} >= 0 AND balance + ${cmd.cashDelta} <= ${INT64_MAX}
      RETURNING balance`;
    if (!cash) {
      const current = await tx.account.findUniqueOrThrow({ where: { id: cashId } });
      throw appError("INSUFFICIENT_FUNDS", "Insufficient funds", { balance: toGraphQLMoney(current.balance, cmd.currency) });
    }

    const id = randomUUID();
    const walletVersion = wallet.version + 1n;
    const postings = [
      { accountId: cashId, amount: cmd.cashDelta },
      { accountId: counterId, amount: -cmd.cashDelta },
    ];
    const txHash = chainHash(wallet.head_hash, {
      id,
      type: cmd.type,
      playerId: cmd.playerId,
      idempotencyKey: cmd.idempotencyKey,
      currency: cmd.currency,
      amount: cmd.cashDelta,
      balanceAfter: cash.balance,
      walletVersion,
      postings,
      reference: cmd.reference,
    });
    const created = await tx.ledgerTransaction.create({
      data: {
        id,
        type: cmd.type,
        playerId: cmd.playerId,
        idempotencyKey: cmd.idempotencyKey,
        requestHash: hash,
        currency: cmd.currency,
        amount: cmd.cashDelta,
        balanceAfter: cash.balance,
        walletVersion,
        reference: cmd.reference as Prisma.InputJsonObject,
        prevHash: wallet.head_hash,
        hash: txHash,
        postings: { create: postings.map((p) => ({ ...p, currency: cmd.currency })) },
      },
    });
    await tx.wallet.update({ where: { playerId: cmd.playerId }, data: { version: walletVersion, headHash: txHash } });

    const snapshot = await this.snapshotInTx(tx, cmd.playerId, walletVersion, { minor: cash.balance, currency: cmd.currency });
    await tx.outboxEvent.createMany({
      data: [
        outboxRow({
          type: "wallet.transaction_posted",
          aggregateId: id,
          playerId: cmd.playerId,
          payload: {
            transactionId: id,
            type: cmd.type,
            playerId: cmd.playerId,
            currency: cmd.currency,
            amountMinor: cmd.cashDelta.toString(),
            balanceAfterMinor: cash.balance.toString(),
            walletVersion: walletVersion.toString(),
            reference: cmd.reference,
          },
        }),
        outboxRow({
          type: "wallet.balance_changed",
          aggregateId: cmd.playerId,
          playerId: cmd.playerId,
          liveTopic: "balanceChanged",
          payload: balanceUpdatePayload(snapshot),
        }),
      ],
    });
    return created;
  }

  /**
   * Finds or creates an account without writing to an existing row: operator accounts are shared by
   * every transaction, and an upsert would make them a lock that serialises all traffic.
   */
  private async ensureAccount(tx: Tx, key: AccountKey, playerId: string | null): Promise<string> {
    const cacheKey = `${key.type}|${key.currency}|${key.ref}`;
    const cached = playerId === null ? this.operatorAccounts.get(cacheKey) : undefined;
    if (cached) return cached;
    const find = () => tx.$queryRaw<Array<{ id: string }>>`
      SELECT id::text FROM account WHERE type = ${key.type}::"AccountType" AND currency = ${key.currency} AND ref = ${key.ref}`;
    let [row] = await find();
    // Only ids of rows that existed before this transaction are cached: ours might still roll back.
    if (row && playerId === null) this.operatorAccounts.set(cacheKey, row.id);
    if (!row) {
      await tx.$executeRaw`
        INSERT INTO account (id, player_id, type, currency, ref, balance)
        VALUES (${randomUUID()}::uuid, ${playerId}::uuid, ${key.type}::"AccountType", ${key.currency}, ${key.ref}, 0)
        ON CONFLICT (type, currency, ref) DO NOTHING`;
      [row] = await find();
    }
    if (!row) throw new Error(`account ${cacheKey} could not be created`);
    return row.id;
  }

  private async snapshotInTx(tx: Tx, playerId: string, version: bigint, changed: Money): Promise<BalanceSnapshot> {
    const accounts = await tx.account.findMany({ where: { playerId, type: "PLAYER_CASH" }, orderBy: { currency: "asc" } });
    return { playerId, version, changed, balances: accounts.map((a) => ({ minor: a.balance, currency: a.currency })) };
  }
}

/** The live message for Subscription.balanceChanged, shaped exactly like the GraphQL BalanceUpdate. */
export function balanceUpdatePayload(s: BalanceSnapshot) {
  return {
    playerId: s.playerId,
    version: Number(s.version),
    balance: toGraphQLMoney(s.changed.minor, s.changed.currency),
    balances: s.balances.map((b) => toGraphQLMoney(b.minor, b.currency)),
  };
}
