import { appError, badInput, notFound } from "@casino/kernel/errors";
import { toGraphQLMoney, type Money } from "@casino/kernel/money";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { genesisHash, requestHash, validateCommand, assertIdempotencyKey, type LedgerCommand, type TransactionType } from "./rules.ts";
import { PostQueue, type PostQueueOptions, type PostRow } from "./post-queue.ts";
import type { LedgerEntry } from "./views.ts";

type Tx = Prisma.TransactionClient;

/** A transaction as the write path returns it; `replayed` is true when the key had been applied before. */
export interface PostedTransaction extends LedgerEntry {
  replayed: boolean;
}

/** The refusals of ledger_post(), as GraphQL errors with the same code (the internal API maps them too). */
function refusal(row: PostRow, cmd: LedgerCommand) {
  const balance = () => ({
    balance: toGraphQLMoney(row.balance_after ?? 0n, cmd.currency),
    bonusBalance: toGraphQLMoney(row.bonus_balance_after ?? 0n, cmd.currency),
  });
  switch (row.status) {
    case "WALLET_NOT_FOUND":
      return notFound("Wallet");
    case "IDEMPOTENCY_KEY_REUSED":
      return appError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was already used with different inputs");
    case "INSUFFICIENT_FUNDS":
      return appError("INSUFFICIENT_FUNDS", "Insufficient funds", balance());
    case "TRANSACTION_NOT_FOUND":
      return appError("TRANSACTION_NOT_FOUND", `No ${cmd.type === "WIN" || cmd.type === "ROLLBACK" ? "stake" : "reservation"} of this player and currency has key "${cmd.refKey}"`);
    case "TRANSACTION_ROLLED_BACK":
      return appError("TRANSACTION_ROLLED_BACK", cmd.type === "STAKE" ? "This stake was rolled back before it arrived" : "The stake was rolled back", balance());
    case "ALREADY_SETTLED":
      return appError("ALREADY_SETTLED", `Reservation "${cmd.refKey}" was already committed or voided`);
    case "AMOUNT_EXCEEDS_RESERVATION":
      return appError("AMOUNT_EXCEEDS_RESERVATION", "The amount exceeds the reserved amount");
    default:
      return new Error(`ledger_post returned an unknown status "${row.status}"`);
  }
}

/**
 * The SQLSTATE of a failed raw query. Prisma wraps it differently per driver adapter: node-postgres
 * errors arrive as P2010 with the code in meta.driverAdapterError.cause.originalCode, PGlite's with
 * the code on the error or its cause.
 */
function sqlState(err: unknown): string | undefined {
  const e = err as {
    code?: unknown;
    cause?: { code?: unknown };
    meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } };
  } | null;
  const code = e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.meta?.code ?? e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The wallet's write path. Each command is one call of the database function ledger_post()
 * (prisma/wallet/migrations/20261129010000_ledger_operations), in one transaction: it locks the
 * player's wallet row, checks the idempotency key, decides and applies the postings to the player's
 * projections (which can never go negative), appends the transaction to the player's hash chain and
 * writes its events to the outbox. Commands are validated here first, so a malformed one never
 * reaches the database. Under load, commands that arrive together share a statement and a commit
 * (ledger_post_batch(), see post-queue.ts), each decided exactly as alone.
 */
export class Ledger {
  private readonly queue: PostQueue;

  /**
   * @param sql the service's raw pool (the kernel's node-postgres pool or PGlite): every command is
   * one function call, and through it one costs about 370 µs of this process's CPU against 580 µs
   * through Prisma's $queryRaw (test/bench/prisma-raw.bench.ts). Everything else uses Prisma.
   * @param queue statements of the write path in flight at once and commands per statement; by
   * default 4 and 32 on PostgreSQL (of the pool's 10 connections), 1 and 32 on PGlite (one
   * connection).
   */
  constructor(
    private readonly prisma: PrismaClient,
    sql: SqlExecutor,
    private readonly publishOutbox: () => void,
    queue: Partial<PostQueueOptions> = {},
  ) {
    this.queue = new PostQueue(sql, {
      // 2 on PostgreSQL: fewer statements in flight make bigger batches under load (more commands
      // per commit and per round trip). bench:wallet, 2026-11-29, 64 workers, 10 s: spread 2,170-2,559
      // tx/s with 2 against 1,998-2,108 with 4 and 1,968 with 8; wrk's stake maximum 2,408-2,786/s
      // against 2,188-2,577 and 2,268 (README, "Wallet").
      maxInFlight: queue.maxInFlight ?? (sql.dialect === "pglite" ? 1 : 2),
      maxBatch: queue.maxBatch ?? 32,
    });
  }

  /** Creates the wallet and its cash account in the player's currency; a no-op when they exist. */
  async openWallet(tx: Tx, playerId: string, currency: string): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO wallet (player_id, default_currency, version, head_hash)
      VALUES (${playerId}::uuid, ${currency}, 0, ${genesisHash(playerId)})
      ON CONFLICT (player_id) DO NOTHING`;
    await tx.$queryRaw`SELECT ledger_account_id(${playerId}::uuid, 'PLAYER_CASH', ${currency}, ${playerId})::text AS id`;
  }

  async adjustBalance(cmd: { playerId: string; amount: Money; reason: string; staffId: string; idempotencyKey: string }): Promise<PostedTransaction> {
    const reason = cmd.reason.trim();
    if (reason.length < 3 || reason.length > 500) throw badInput("reason must be 3-500 characters", "reason");
    if (cmd.amount.minor === 0n) throw badInput("amount must not be zero", "amount");
    return this.post({
      type: "MANUAL_ADJUSTMENT",
      playerId: cmd.playerId,
      currency: cmd.amount.currency,
      // Staff keys live in their own namespace so they can never collide with a service's keys.
      idempotencyKey: `adjust:${assertIdempotencyKey(cmd.idempotencyKey)}`,
      amount: cmd.amount.minor,
      reference: { staffUserId: cmd.staffId, reason },
    });
  }

  async grantBonus(cmd: { playerId: string; amount: Money; reason: string; staffId: string; idempotencyKey: string; forfeit: boolean }): Promise<PostedTransaction> {
    const reason = cmd.reason.trim();
    if (reason.length < 3 || reason.length > 500) throw badInput("reason must be 3-500 characters", "reason");
    return this.post({
      type: cmd.forfeit ? "BONUS_FORFEIT" : "BONUS_GRANT",
      playerId: cmd.playerId,
      currency: cmd.amount.currency,
      idempotencyKey: `bonus:${assertIdempotencyKey(cmd.idempotencyKey)}`,
      amount: cmd.amount.minor,
      reference: { staffUserId: cmd.staffId, reason },
    });
  }

  /** Applies a command exactly once per idempotency key; a replay returns the first result. */
  async post(input: LedgerCommand): Promise<PostedTransaction> {
    const cmd = validateCommand(input);
    const hash = requestHash(cmd);
    let row: PostRow | undefined;
    try {
      row = await this.queue.post(cmd, hash);
    } catch (err) {
      const state = sqlState(err);
      // The same key posted for two players at once: the loser reads the winner's transaction.
      if (state === "23505") return this.replayAfterRace(cmd, hash, err);
      // A credit that would take a balance beyond 64 bits.
      if (state === "22003") throw badInput("The resulting balance would be out of range", "amount");
      throw err;
    }
    if (!row) throw new Error("ledger_post returned no row");
    if (row.status !== "OK" && row.status !== "REPLAY") throw refusal(row, cmd);
    if (row.status === "OK") this.publishOutbox();
    return {
      id: row.id!,
      seq: row.seq!,
      type: cmd.type,
      playerId: cmd.playerId,
      currency: cmd.currency,
      idempotencyKey: cmd.idempotencyKey,
      amount: row.amount!,
      balanceAfter: row.balance_after!,
      bonusAmount: row.bonus_amount!,
      bonusBalanceAfter: row.bonus_balance_after!,
      reservedAmount: row.reserved_amount!,
      reservedBalanceAfter: row.reserved_balance_after!,
      walletVersion: row.wallet_version!,
      refKey: row.ref_key,
      reference: row.reference ?? {},
      createdAt: row.created_at!,
      replayed: row.status === "REPLAY",
    };
  }

  private async replayAfterRace(cmd: LedgerCommand, hash: string, err: unknown): Promise<PostedTransaction> {
    const existing = await this.prisma.ledgerTransaction.findUnique({ where: { idempotencyKey: cmd.idempotencyKey } });
    if (!existing) throw err;
    if (existing.requestHash !== hash) throw appError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was already used with different inputs");
    return { ...existing, type: existing.type as TransactionType, reference: (existing.reference ?? {}) as Record<string, unknown>, replayed: true };
  }
}

/** The live message for Subscription.balanceChanged, shaped exactly like the GraphQL BalanceUpdate. */
export function balanceUpdatePayload(s: { playerId: string; version: bigint; changed: Money; balances: Money[]; bonusBalances: Money[] }) {
  return {
    playerId: s.playerId,
    version: Number(s.version),
    balance: toGraphQLMoney(s.changed.minor, s.changed.currency),
    balances: s.balances.map((b) => toGraphQLMoney(b.minor, b.currency)),
    bonusBalances: s.bonusBalances.map((b) => toGraphQLMoney(b.minor, b.currency)),
  };
}
