import { isStatementError } from "@casino/kernel/db/errors";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import type { LedgerCommand } from "./rules.ts";

/** One row of ledger_post() (and of ledger_post_batch(), which adds `ord`). */
export interface PostRow {
  status: string;
  id: string | null;
  seq: bigint | null;
  wallet_version: bigint | null;
  amount: bigint | null;
  balance_after: bigint | null;
  bonus_amount: bigint | null;
  bonus_balance_after: bigint | null;
  reserved_amount: bigint | null;
  reserved_balance_after: bigint | null;
  ref_key: string | null;
  reference: Record<string, unknown> | null;
  created_at: Date | null;
}

interface BatchRow extends PostRow {
  ord: number;
}

interface Pending {
  cmd: LedgerCommand;
  hash: string;
  resolve(row: PostRow | undefined): void;
  reject(err: unknown): void;
}

export interface PostQueueOptions {
  /** Statements in flight at once (database connections the write path may hold). */
  maxInFlight: number;
  /** Commands per statement at most. */
  maxBatch: number;
}

const POST_ONE = `SELECT * FROM ledger_post($1::"TransactionType", $2::uuid, $3, $4, $5, $6::bigint, $7, $8, $9::jsonb)`;
const POST_BATCH = `SELECT * FROM ledger_post_batch($1::jsonb)`;
// Named prepared statements: each connection of the write path parses and plans them once.
const POST_ONE_NAMED = { name: "wallet_ledger_post" };
const POST_BATCH_NAMED = { name: "wallet_ledger_post_batch" };

/**
 * Group commit for ledger_post(). Commands arrive one by one (one HTTP request each); at most
 * `maxInFlight` statements run at once, and the commands that arrive while they run go together in
 * the next statement, ledger_post_batch(): one transaction, one commit and one round trip for all
 * of them. Nothing waits for a timer: a command that finds a free slot is sent at once, alone, with
 * the single-command statement, so an idle wallet answers exactly as fast as without the queue.
 *
 * Each command gets exactly the answer it gets when posted alone: ledger_post_batch() calls
 * ledger_post() for each, in arrival order, under the locks of all the batch's wallets taken in one
 * order. If the batch statement fails (a deadlock, the same key for two players at once, a value
 * out of range), nothing of it was committed, and its commands are posted again one at a time, in
 * order, each meeting its own error or result. If the outcome is unknown (the connection broke),
 * every command of the batch fails with that error, as a single command would; retrying under the
 * same keys is safe.
 */
export class PostQueue {
  private readonly waiting: Pending[] = [];
  private running = 0;

  constructor(
    private readonly sql: SqlExecutor,
    private readonly opts: PostQueueOptions,
  ) {}

  /** ledger_post() for one validated command; rejects with the database's error as the statement would. */
  post(cmd: LedgerCommand, hash: string): Promise<PostRow | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ cmd, hash, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.opts.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.opts.maxBatch);
      this.running++;
      void this.send(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async one(p: Pending): Promise<void> {
    const { cmd, hash } = p;
    try {
      const [row] = await this.sql.query<PostRow>(POST_ONE, [
        cmd.type,
        cmd.playerId,
        cmd.currency,
        cmd.idempotencyKey,
        hash,
        cmd.amount.toString(),
        cmd.refKey ?? null,
        cmd.counterRef ?? "",
        JSON.stringify(cmd.reference ?? {}),
      ], POST_ONE_NAMED);
      p.resolve(row);
    } catch (err) {
      p.reject(err);
    }
  }

  private async send(pending: Pending[]): Promise<void> {
    // A command whose reference cannot be written as JSON fails alone, as it would posted alone.
    const batch: Pending[] = [];
    const parts: string[] = [];
    for (const p of pending) {
      const { cmd, hash } = p;
      try {
        parts.push(
          JSON.stringify({
            type: cmd.type,
            playerId: cmd.playerId,
            currency: cmd.currency,
            idempotencyKey: cmd.idempotencyKey,
            requestHash: hash,
            amount: cmd.amount.toString(),
            refKey: cmd.refKey ?? null,
            counterRef: cmd.counterRef ?? "",
            reference: cmd.reference ?? {},
          }),
        );
        batch.push(p);
      } catch (err) {
        p.reject(err);
      }
    }
    if (batch.length === 0) return;
    if (batch.length === 1) return this.one(batch[0]!);
    let rows: BatchRow[];
    try {
      rows = await this.sql.query<BatchRow>(POST_BATCH, [`[${parts.join(",")}]`], POST_BATCH_NAMED);
    } catch (err) {
      if (!isStatementError(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      for (const p of batch) await this.one(p);
      return;
    }
    const byOrd = new Map<number, PostRow>();
    for (const row of rows) {
      const { ord, ...rest } = row;
      byOrd.set(Number(ord), rest);
    }
    batch.forEach((p, i) => {
      const row = byOrd.get(i + 1);
      if (row) p.resolve(row);
      else p.reject(new Error(`ledger_post_batch returned no row for command ${i + 1} of ${batch.length}`));
    });
  }
}
