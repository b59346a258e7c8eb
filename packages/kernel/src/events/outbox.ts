import { randomUUID } from "node:crypto";
import type { ServiceName } from "../config.ts";
import type { SqlExecutor } from "../db/sql.ts";
import type { Logger } from "../logger.ts";
import type { DomainEvent, EventBus, LiveChannel, LiveMessage } from "./types.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Deep copy that survives JSON: bigint becomes its decimal string (money in minor units), Date its
 * ISO string, undefined members disappear. Every transport serialises events as JSON, so doing it
 * once at the edge makes the embedded bus behave exactly like Redis.
 */
export function toJsonSafe<T>(value: T): T {
  const text = JSON.stringify(value, bigintAsString);
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}

const bigintAsString = (_key: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/**
 * `JSON.stringify(toJsonSafe(value))` in one pass: the same text, without the copy. Values that hold
 * no bigint (every event the relay reads back from its JSON column) take V8's fast path, which a
 * replacer function disables; only a value that holds a bigint pays for the replacer.
 */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    // "Do not know how to serialize a BigInt"; anything else (a cycle) fails again below.
    if (!(err instanceof TypeError)) throw err;
  }
  return JSON.stringify(value, bigintAsString);
}

export interface OutboxRowInput {
  /** "<service>.<fact>", e.g. "wallet.balance_changed". */
  type: string;
  aggregateId: string;
  playerId?: string | null;
  /** Any object; bigint and Date members are converted (interfaces welcome, hence not a Record). */
  payload: object;
  /** Subscription field fed by this event (e.g. "balanceChanged"); requires playerId. */
  liveTopic?: string | null;
}

/** The `data` of `tx.outboxEvent.create({ data })`; field names follow the Prisma model. */
export interface OutboxRowData {
  id: string;
  type: string;
  aggregateId: string;
  playerId: string | null;
  payload: JsonObject;
  liveTopic: string | null;
}

export function outboxRow(input: OutboxRowInput): OutboxRowData {
  if (input.liveTopic && !input.playerId) {
    // Live messages are routed per player; without one the message could never be delivered.
    throw new Error(`outbox event "${input.type}" has liveTopic "${input.liveTopic}" but no playerId`);
  }
  return {
    id: randomUUID(),
    type: input.type,
    aggregateId: input.aggregateId,
    playerId: input.playerId ?? null,
    payload: toJsonSafe(input.payload) as JsonObject,
    liveTopic: input.liveTopic ?? null,
  };
}

interface OutboxDbRow {
  seq: bigint | string;
  id: string;
  type: string;
  aggregate_id: string;
  player_id: string | null;
  payload: unknown;
  live_topic: string | null;
  occurred_at: Date | string;
}

export interface OutboxRelayOptions {
  service: ServiceName;
  sql: SqlExecutor;
  bus: EventBus;
  live: LiveChannel;
  log: Logger;
  pollIntervalMs?: number;
  batchSize?: number;
  /** Upper bound of the retry backoff after a failed run. */
  maxBackoffMs?: number;
  /**
   * A publish that neither resolves nor rejects would hold the row locks and the advisory lock
   * forever, stalling every instance; after this long the run is failed and retried.
   */
  publishTimeoutMs?: number;
}

export interface OutboxRelay {
  /** Run now instead of at the next poll (call right after committing an outbox row). */
  kick(): void;
  /** Stops polling and waits for the run in flight. */
  stop(): Promise<void>;
}

/**
 * The oldest unpublished rows, in the order of the (published_at, seq) index: every row it returns
 * has published_at NULL, so this is seq order, and the planner sees that the index gives it as is.
 * Written `ORDER BY seq`, the planner does not (IS NULL is no equality for its sort keys); once the
 * statistics count many unpublished rows (an ANALYZE during a burst), it walked the primary key and
 * filtered out every published row instead: 21 ms for 150,000 rows against 0.05 ms this way
 * (EXPLAIN ANALYZE), on every poll of every relay. test/outbox-pg.int.test.ts checks the plan.
 */
export const SELECT_BATCH = `SELECT seq, id, type, aggregate_id, player_id, payload, live_topic, occurred_at
   FROM outbox_event
  WHERE published_at IS NULL
  ORDER BY published_at, seq
  LIMIT $1`;
/**
 * The relays' turn (see below), and an asynchronous commit for this transaction only: the mark is
 * the one write of the relay, and losing it in a server crash only publishes its rows again, which
 * at-least-once delivery allows (consumers de-duplicate by event id). So the relay never waits for
 * a WAL flush, and never adds one to the flushes the service's own commits wait for.
 */
const TAKE_TURN = `SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(hashtext(current_schema() || '.outbox_event'))`;
const MARK_PUBLISHED = `UPDATE outbox_event SET published_at = now() WHERE seq = ANY($1::bigint[])`;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Moves committed outbox rows to the bus and the live channel, oldest first, at least once.
 *
 * On PostgreSQL several instances of one service share the table. A transaction-scoped advisory
 * lock keyed on the table makes the instances take turns, so the bus sees the table's `seq` order:
 * the waiting instance holds one pooled connection, which is cheap, and its SELECT (a new snapshot
 * under READ COMMITTED, taken after it got the lock) sees the rows the first one marked. The rows
 * are therefore read without `FOR UPDATE`: only the lock holder ever writes `published_at`, and a
 * row lock would cost a heap write and a WAL record per event on top of the UPDATE.
 *
 * Per batch: one SELECT, one bus publish (Redis: one pipeline), one live publish (Redis: one
 * pipeline, where the channel offers `publishMany`) and one UPDATE by primary key.
 */
export function startOutboxRelay(opts: OutboxRelayOptions): OutboxRelay {
  const pollIntervalMs = opts.pollIntervalMs ?? 250;
  const batchSize = opts.batchSize ?? 200;
  const maxBackoffMs = opts.maxBackoffMs ?? 5_000;
  const publishTimeoutMs = opts.publishTimeoutMs ?? 15_000;
  const log = opts.log.child({ component: "outbox-relay" });

  let stopped = false;
  let running: Promise<void> | undefined;
  let pending = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  /** Publishes one batch read through `db`; returns how many rows it published. */
  async function publishBatch(db: SqlExecutor): Promise<number> {
    const rows = await db.query<OutboxDbRow>(SELECT_BATCH, [batchSize]);
    if (rows.length === 0) return 0;
    const events: DomainEvent[] = rows.map((row) => ({
      id: row.id,
      type: row.type,
      source: opts.service,
      aggregateId: row.aggregate_id,
      playerId: row.player_id,
      occurredAt: new Date(row.occurred_at).toISOString(),
      payload: typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload,
    }));
    const liveMessages: LiveMessage[] = [];
    for (const [i, row] of rows.entries()) {
      if (!row.live_topic) continue;
      if (!row.player_id) {
        log.warn({ eventId: row.id, type: row.type }, "outbox row has live_topic but no player_id; live message dropped");
        continue;
      }
      liveMessages.push({ topic: row.live_topic, playerId: row.player_id, eventId: row.id, payload: events[i]!.payload });
    }
    await withTimeout(opts.bus.publish(events), publishTimeoutMs, "bus publish");
    if (liveMessages.length > 0) {
      const live = opts.live;
      const sent: Promise<unknown> = live.publishMany ? live.publishMany(liveMessages) : Promise.all(liveMessages.map((m) => live.publish(m)));
      await withTimeout(sent, publishTimeoutMs, "live publish");
    }
    // By the primary key: the batch is a run of seq values, so this walks a few adjacent index pages.
    await db.query(MARK_PUBLISHED, [rows.map((r) => String(r.seq))]);
    return rows.length;
  }

  function runBatch(): Promise<number> {
    if (opts.sql.dialect === "pglite") {
      // PGlite is one connection owned by this process, so no other relay can race this one,
      // and a transaction would make every query of the service wait while the batch is on the
      // wire. Reading, publishing and then marking gives the same at-least-once, in-order result.
      return publishBatch(opts.sql);
    }
    return opts.sql.transaction(async (tx) => {
      await tx.query(TAKE_TURN);
      return publishBatch(tx);
    });
  }

  async function run(): Promise<void> {
    try {
      // A full batch means more rows are probably waiting; drain before going back to polling.
      while (!stopped && (await runBatch()) === batchSize);
      failures = 0;
    } catch (err) {
      failures += 1;
      log.error({ err, failures }, "outbox relay run failed; rows stay unpublished and will be retried");
    }
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(start, delayMs);
  }

  function start(): void {
    if (stopped) return;
    if (running) {
      pending = true;
      return;
    }
    clearTimeout(timer);
    running = run().finally(() => {
      running = undefined;
      if (stopped) return;
      if (failures > 0) {
        // Kicks during a failure streak wait for the backoff: hammering a broken bus helps nobody.
        pending = false;
        schedule(Math.min(maxBackoffMs, pollIntervalMs * 2 ** Math.min(failures, 16)));
      } else if (pending) {
        pending = false;
        start();
      } else {
        schedule(pollIntervalMs);
      }
    });
  }

  start();

  return {
    kick() {
      if (stopped || failures > 0) return;
      start();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** What `consumeOnce` needs from a Prisma transaction client. */
export interface RawSqlTx {
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>;
}

/** What `consumeOnce` needs from a Prisma client. */
export interface TransactionalDb<Tx extends RawSqlTx> {
  $transaction<R>(fn: (tx: Tx) => Promise<R>): Promise<R>;
}

/**
 * Runs `handle` at most once per (consumer, event id): the marker row and the handler's writes
 * commit or roll back together, so a redelivered event is skipped and a failed one is retried.
 * Returns false when the event had already been handled.
 */
export async function consumeOnce<Tx extends RawSqlTx>(
  db: TransactionalDb<Tx>,
  consumer: string,
  event: Pick<DomainEvent, "id">,
  handle: (tx: Tx) => Promise<void>,
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const inserted = await tx.$executeRawUnsafe(
      `INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING`,
      consumer,
      event.id,
    );
    if (inserted === 0) return false;
    await handle(tx);
    return true;
  });
}
