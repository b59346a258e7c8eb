import type { PrismaClient } from "../generated/prisma/client.ts";
import { chainHash, genesisHash } from "./rules.ts";

export type MismatchKind = "UNBALANCED_TRANSACTION" | "TRANSACTION_AMOUNTS" | "ACCOUNT_BALANCE" | "CURRENCY_TOTAL" | "HASH_CHAIN" | "WALLET_HEAD";

export interface LedgerMismatch {
  kind: MismatchKind;
  playerId: string | null;
  transactionId: string | null;
  accountId: string | null;
  currency: string | null;
  expected: string | null;
  actual: string | null;
  detail: string;
}

type MismatchInput = Pick<LedgerMismatch, "kind" | "detail"> & Partial<LedgerMismatch>;

export interface LedgerAuditResult {
  ok: boolean;
  checkedTransactions: number;
  checkedAccounts: number;
  checkedWallets: number;
  mismatches: LedgerMismatch[];
}

interface ChainRow {
  id: string;
  type: string;
  player_id: string;
  idempotency_key: string;
  currency: string;
  amount: bigint;
  balance_after: bigint;
  bonus_amount: bigint;
  bonus_balance_after: bigint;
  reserved_amount: bigint;
  reserved_balance_after: bigint;
  wallet_version: bigint;
  ref_key: string | null;
  reverses_key: string | null;
  settles_key: string | null;
  reference_text: string;
  prev_hash: string;
  hash: string;
  postings: Array<{ accountId: string; amount: string }>;
}

interface WalletRow {
  player_id: string;
  version: bigint;
  head_hash: string;
}

const BATCH = 2_000;
/** Enough to act on; an audit that finds more stops listing them (the count of checks still holds). */
const MAX_MISMATCHES = 1_000;

/**
 * Replays the ledger from its postings and checks it against everything derived from it: the
 * projections (account balances, the balances recorded on each transaction, wallet versions) and
 * the hash chain. Sums are done by the database; the chain is walked here, wallet by wallet, in
 * batches, recomputing every hash from the stored row exactly as ledger_chain_hash() wrote it.
 */
export async function auditLedger(prisma: PrismaClient): Promise<LedgerAuditResult> {
  const mismatches: LedgerMismatch[] = [];
  const add = (m: MismatchInput) =>
    void (
      mismatches.length < MAX_MISMATCHES &&
      mismatches.push({ playerId: null, transactionId: null, accountId: null, currency: null, expected: null, actual: null, ...m })
    );

  // Sums are numeric in the database and read as text: a sum beyond 64 bits (a tampered or runaway
  // ledger) is reported like any other difference instead of failing the audit with an overflow.
  for (const r of await prisma.$queryRaw<Array<{ transaction_id: string; currency: string; total: string }>>`
    SELECT transaction_id::text, currency, sum(amount)::text AS total FROM posting
    GROUP BY transaction_id, currency HAVING sum(amount) <> 0`) {
    add({ kind: "UNBALANCED_TRANSACTION", transactionId: r.transaction_id, currency: r.currency, expected: "0", actual: String(r.total), detail: "postings do not sum to zero" });
  }

  for (const r of await prisma.$queryRaw<
    Array<{ id: string; player_id: string; currency: string; recorded: string; posted: string; what: string }>
  >`
    WITH legs AS (
      SELECT t.id, t.player_id, t.currency, t.amount, t.bonus_amount, t.reserved_amount,
             coalesce(sum(p.amount) FILTER (WHERE a.type = 'PLAYER_CASH'), 0) AS cash,
             coalesce(sum(p.amount) FILTER (WHERE a.type = 'PLAYER_BONUS'), 0) AS bonus,
             coalesce(sum(p.amount) FILTER (WHERE a.type = 'PLAYER_RESERVED'), 0) AS reserved,
             count(*) FILTER (WHERE a.player_id IS NOT NULL AND (a.player_id <> t.player_id OR a.currency <> t.currency)
                                 OR p.currency <> t.currency) AS foreign_legs
        FROM ledger_transaction t
        LEFT JOIN posting p ON p.transaction_id = t.id
        LEFT JOIN account a ON a.id = p.account_id
       GROUP BY t.id)
    SELECT id::text, player_id::text, currency, amount::text AS recorded, cash::text AS posted, 'cash' AS what FROM legs WHERE amount <> cash
    UNION ALL
    SELECT id::text, player_id::text, currency, bonus_amount::text, bonus::text, 'bonus' FROM legs WHERE bonus_amount <> bonus
    UNION ALL
    SELECT id::text, player_id::text, currency, reserved_amount::text, reserved::text, 'reserved' FROM legs WHERE reserved_amount <> reserved
    UNION ALL
    SELECT id::text, player_id::text, currency, '0', foreign_legs::text, 'foreign' FROM legs WHERE foreign_legs > 0`) {
    add({
      kind: "TRANSACTION_AMOUNTS",
      transactionId: r.id,
      playerId: r.player_id,
      currency: r.currency,
      expected: r.recorded,
      actual: r.posted,
      detail: r.what === "foreign" ? "postings on another player's account or in another currency" : `${r.what} postings differ from the recorded ${r.what} amount`,
    });
  }

  // Each recorded balance is the previous one of the same wallet and currency plus the change.
  for (const r of await prisma.$queryRaw<Array<{ id: string; player_id: string; currency: string; what: string; expected: string; actual: string }>>`
    WITH running AS (
      SELECT id, player_id, currency, amount, balance_after, bonus_amount, bonus_balance_after, reserved_amount, reserved_balance_after,
             coalesce(lag(balance_after) OVER w, 0) AS cash_before,
             coalesce(lag(bonus_balance_after) OVER w, 0) AS bonus_before,
             coalesce(lag(reserved_balance_after) OVER w, 0) AS reserved_before
        FROM ledger_transaction
      WINDOW w AS (PARTITION BY player_id, currency ORDER BY wallet_version))
    SELECT id::text, player_id::text, currency, 'cash' AS what, (cash_before + amount)::text AS expected, balance_after::text AS actual
      FROM running WHERE cash_before + amount <> balance_after
    UNION ALL
    SELECT id::text, player_id::text, currency, 'bonus', (bonus_before + bonus_amount)::text, bonus_balance_after::text
      FROM running WHERE bonus_before + bonus_amount <> bonus_balance_after
    UNION ALL
    SELECT id::text, player_id::text, currency, 'reserved', (reserved_before + reserved_amount)::text, reserved_balance_after::text
      FROM running WHERE reserved_before + reserved_amount <> reserved_balance_after`) {
    add({ kind: "TRANSACTION_AMOUNTS", transactionId: r.id, playerId: r.player_id, currency: r.currency, expected: r.expected, actual: r.actual, detail: `recorded ${r.what} balance after the transaction does not follow from the previous one` });
  }

  const accounts = await prisma.$queryRaw<Array<{ id: string; player_id: string | null; currency: string; stored: bigint; posted: string; last_after: bigint | null; type: string }>>`
    SELECT a.id::text, a.player_id::text, a.currency, a.type::text, a.balance AS stored,
           coalesce((SELECT sum(p.amount) FROM posting p WHERE p.account_id = a.id), 0)::text AS posted,
           (SELECT CASE a.type WHEN 'PLAYER_CASH' THEN t.balance_after WHEN 'PLAYER_BONUS' THEN t.bonus_balance_after
                               ELSE t.reserved_balance_after END
              FROM ledger_transaction t WHERE t.player_id = a.player_id AND t.currency = a.currency
             ORDER BY t.wallet_version DESC LIMIT 1) AS last_after
      FROM account a`;
  for (const a of accounts) {
    // Operator accounts are derived from their postings only; their stored balance stays zero.
    const expected = a.player_id ? BigInt(a.posted) : 0n;
    if (a.stored !== expected) {
      add({ kind: "ACCOUNT_BALANCE", accountId: a.id, playerId: a.player_id, currency: a.currency, expected: String(expected), actual: String(a.stored), detail: `${a.type} balance differs from its postings` });
    }
    if (a.player_id && a.last_after !== null && a.last_after !== a.stored) {
      add({ kind: "ACCOUNT_BALANCE", accountId: a.id, playerId: a.player_id, currency: a.currency, expected: String(a.last_after), actual: String(a.stored), detail: `${a.type} balance differs from the balance recorded by the wallet's last transaction` });
    }
  }

  for (const r of await prisma.$queryRaw<Array<{ currency: string; total: string }>>`
    SELECT currency, sum(amount)::text AS total FROM posting GROUP BY currency HAVING sum(amount) <> 0`) {
    add({ kind: "CURRENCY_TOTAL", currency: r.currency, expected: "0", actual: String(r.total), detail: "all postings in this currency do not sum to zero" });
  }

  const chain = await walkChains(prisma, add);
  return { ok: mismatches.length === 0, checkedTransactions: chain.transactions, checkedAccounts: accounts.length, checkedWallets: chain.wallets, mismatches };
}

async function walkChains(prisma: PrismaClient, add: (m: MismatchInput) => void): Promise<{ transactions: number; wallets: number }> {
  let transactions = 0;
  let wallets = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  // Wallets in batches; each batch's transactions in chain order.
  for (;;) {
    const batch = await prisma.$queryRaw<WalletRow[]>`
      SELECT player_id::text, version, head_hash FROM wallet WHERE player_id > ${after}::uuid ORDER BY player_id LIMIT ${BATCH}`;
    if (batch.length === 0) break;
    after = batch.at(-1)!.player_id;
    wallets += batch.length;
    const rows = await prisma.$queryRaw<ChainRow[]>`
      SELECT t.id::text, t.type::text, t.player_id::text, t.idempotency_key, t.currency, t.amount, t.balance_after, t.bonus_amount,
             t.bonus_balance_after, t.reserved_amount, t.reserved_balance_after, t.wallet_version, t.ref_key, t.reverses_key,
             t.settles_key, t.reference::text AS reference_text, t.prev_hash, t.hash,
             coalesce((SELECT json_agg(json_build_object('accountId', p.account_id, 'amount', p.amount::text) ORDER BY p.id)
                         FROM posting p WHERE p.transaction_id = t.id), '[]'::json) AS postings
        FROM ledger_transaction t
       WHERE t.player_id IN (SELECT unnest(${batch.map((w) => w.player_id)}::uuid[]))
       ORDER BY t.player_id, t.wallet_version`;
    transactions += rows.length;
    let i = 0;
    for (const wallet of batch) {
      let head = genesisHash(wallet.player_id);
      let version = 0n;
      for (; i < rows.length && rows[i]!.player_id === wallet.player_id; i++) {
        const t = rows[i]!;
        version += 1n;
        if (t.wallet_version !== version) {
          add({ kind: "HASH_CHAIN", playerId: t.player_id, transactionId: t.id, expected: String(version), actual: String(t.wallet_version), detail: "wallet versions of the transactions are not consecutive" });
        }
        if (t.prev_hash !== head) {
          add({ kind: "HASH_CHAIN", playerId: t.player_id, transactionId: t.id, expected: head, actual: t.prev_hash, detail: "the link to the previous transaction is broken" });
        }
        const recomputed = chainHash(t.prev_hash, {
          id: t.id,
          type: t.type,
          playerId: t.player_id,
          idempotencyKey: t.idempotency_key,
          currency: t.currency,
          amount: t.amount,
          balanceAfter: t.balance_after,
          bonusAmount: t.bonus_amount,
          bonusBalanceAfter: t.bonus_balance_after,
          reservedAmount: t.reserved_amount,
          reservedBalanceAfter: t.reserved_balance_after,
          walletVersion: t.wallet_version,
          refKey: t.ref_key,
          reversesKey: t.reverses_key,
          settlesKey: t.settles_key,
          referenceText: t.reference_text,
          postings: t.postings.map((p) => ({ accountId: p.accountId, amount: BigInt(p.amount) })),
        });
        if (recomputed !== t.hash) {
          add({ kind: "HASH_CHAIN", playerId: t.player_id, transactionId: t.id, expected: recomputed, actual: t.hash, detail: "the transaction's content does not match its hash" });
        }
        head = t.hash;
      }
      if (wallet.version !== version || wallet.head_hash !== head) {
        add({
          kind: "WALLET_HEAD",
          playerId: wallet.player_id,
          expected: `version ${version}, head ${head}`,
          actual: `version ${wallet.version}, head ${wallet.head_hash}`,
          detail: "the wallet's version or chain head does not match its transactions",
        });
      }
    }
  }
  return { transactions, wallets };
}
