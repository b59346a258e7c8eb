import { PGlite, type Transaction } from "@electric-sql/pglite";
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { openDatabase, type Database } from "../src/db/database.ts";
import type { SqlExecutor } from "../src/db/sql.ts";
import { InProcessBus, InProcessLiveChannel } from "../src/events/memory.ts";
import { consumeOnce, outboxRow, startOutboxRelay, toJsonSafe, toJsonText, type OutboxRelay, type OutboxRowData } from "../src/events/outbox.ts";
import type { DomainEvent, EventBus, EventSubscription, LiveChannel, LiveMessage } from "../src/events/types.ts";
import { createLogger } from "../src/logger.ts";
import { deferred, OUTBOX_DDL, sleep, waitFor } from "./support/events.ts";

const log = createLogger("test", "silent");

/** Records what the relay publishes; `failing` makes publish throw, `gate` holds it open. */
class RecordingBus implements EventBus {
  readonly published: DomainEvent[] = [];
  publishCalls = 0;
  failing = false;
  gate: Promise<void> | undefined;

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.publishCalls += 1;
    if (this.gate) await this.gate;
    if (this.failing) throw new Error("bus down");
    this.published.push(...events);
  }
  async subscribe(): Promise<EventSubscription> {
    throw new Error("not used");
  }
  async close(): Promise<void> {}
}

class RecordingLive implements LiveChannel {
  readonly messages: LiveMessage[] = [];
  async publish(message: LiveMessage): Promise<void> {
    this.messages.push(message);
  }
  async subscribe(): Promise<() => Promise<void>> {
    throw new Error("not used");
  }
  async close(): Promise<void> {}
}

/** Inserts rows the way the generated Prisma client would for `outboxEvent.create({ data })`. */
async function insertRows(sql: SqlExecutor, rows: OutboxRowData[]): Promise<void> {
  await sql.transaction(async (tx) => {
    for (const r of rows) {
      await tx.query(
        `INSERT INTO outbox_event (id, type, aggregate_id, player_id, payload, live_topic) VALUES ($1, $2, $3, $4, $5, $6)`,
        [r.id, r.type, r.aggregateId, r.playerId, JSON.stringify(r.payload), r.liveTopic],
      );
    }
  });
}

function rowsOf(n: number, from = 0): OutboxRowData[] {
  return Array.from({ length: n }, (_, i) =>
    outboxRow({ type: "wallet.bet_settled", aggregateId: `w-${from + i}`, playerId: `p-${(from + i) % 5}`, payload: { n: from + i } }),
  );
}

async function unpublishedCount(sql: SqlExecutor): Promise<number> {
  const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`);
  return row!.n;
}

describe("outboxRow", () => {
  it("builds Prisma create data with a fresh uuid and a JSON-safe payload", () => {
    const a = outboxRow({
      type: "wallet.balance_changed",
      aggregateId: "wallet-1",
      playerId: "player-1",
      payload: { amount: 12_345_678_901_234_567n, nested: { list: [1n, "x"], at: new Date("2024-01-02T03:04:05.000Z") }, skip: undefined },
      liveTopic: "balanceChanged",
    });
    const b = outboxRow({ type: "player.registered", aggregateId: "player-2", payload: {} });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.id).not.toBe(a.id);
    expect(a).toEqual({
      id: a.id,
      type: "wallet.balance_changed",
      aggregateId: "wallet-1",
      playerId: "player-1",
      payload: { amount: "12345678901234567", nested: { list: ["1", "x"], at: "2024-01-02T03:04:05.000Z" } },
      liveTopic: "balanceChanged",
    });
    expect(b).toMatchObject({ playerId: null, liveTopic: null, payload: {} });
  });

  it("refuses a live topic without a player to route it to", () => {
    expect(() => outboxRow({ type: "x.y", aggregateId: "a", payload: {}, liveTopic: "balanceChanged" })).toThrow(/no playerId/);
  });
});

/** A live channel that can take a batch at once, as Redis does with one pipeline. */
class BatchingLive extends RecordingLive {
  readonly batches: LiveMessage[][] = [];
  async publishMany(messages: readonly LiveMessage[]): Promise<void> {
    this.batches.push([...messages]);
    this.messages.push(...messages);
  }
  override async publish(): Promise<void> {
    throw new Error("the relay must use publishMany when the channel has it");
  }
}

describe("toJsonText", () => {
  it("gives exactly the text of JSON.stringify(toJsonSafe(value)), with and without bigints", () => {
    const when = new Date("2026-11-29T06:00:00.123Z");
    const values: unknown[] = [
      { a: 1, b: "x", c: [1, 2, { d: null }], e: true },
      { minor: 1050n, nested: [{ v: -7n }, "é ✓"], at: when, gone: undefined },
      [1n, 2, "3"],
      { big: 2n ** 70n },
    ];
    for (const v of values) expect(toJsonText(v)).toBe(JSON.stringify(toJsonSafe(v)));
  });

  it("still refuses a value JSON cannot hold", () => {
    const cyclic: Record<string, unknown> = { minor: 1n };
    cyclic.self = cyclic;
    expect(() => toJsonText(cyclic)).toThrow(TypeError);
  });
});

describe("outbox relay on PGlite", () => {
  let db: Database;
  let relay: OutboxRelay | undefined;

  beforeEach(async () => {
    db = await openDatabase({ dataDir: "memory://", schema: "wallet" });
    await db.sql.exec(OUTBOX_DDL);
  });

  afterEach(async () => {
    await relay?.stop();
    relay = undefined;
    await db.close();
  });

  it("publishes every row once, in seq order, across several batches, and marks them published", async () => {
    const rows = rowsOf(450);
    await insertRows(db.sql, rows);
    const bus = new RecordingBus();
    relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live: new RecordingLive(), log, batchSize: 200, pollIntervalMs: 20 });

    await waitFor("all rows published", () => bus.published.length >= rows.length);
    await waitFor("published_at set", async () => (await unpublishedCount(db.sql)) === 0);
    await sleep(100);

    expect(bus.published.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    expect(bus.publishCalls).toBe(3);
    const first = bus.published[0]!;
    expect(first).toEqual({
      id: rows[0]!.id,
      type: "wallet.bet_settled",
      source: "wallet",
      aggregateId: "w-0",
      playerId: "p-0",
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      payload: { n: 0 },
    });
  });

  it("leaves rows unpublished while the bus fails and publishes them after it recovers", async () => {
    const rows = rowsOf(30);
    await insertRows(db.sql, rows);
    const bus = new RecordingBus();
    bus.failing = true;
    relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live: new RecordingLive(), log, pollIntervalMs: 10, maxBackoffMs: 50 });

    await waitFor("several failed attempts", () => bus.publishCalls >= 3);
    expect(await unpublishedCount(db.sql)).toBe(30);
    expect(bus.published).toHaveLength(0);

    bus.failing = false;
    await waitFor("recovery", async () => (await unpublishedCount(db.sql)) === 0);
    expect(bus.published.map((e) => e.id)).toEqual(rows.map((r) => r.id));
  });

  it("sends rows with a live topic to the player's live channel, and only those", async () => {
    const plain = outboxRow({ type: "wallet.bet_settled", aggregateId: "w-1", playerId: "p-1", payload: { n: 1 } });
    const live1 = outboxRow({
      type: "wallet.balance_changed",
      aggregateId: "w-1",
      playerId: "p-1",
      payload: { playerId: "p-1", version: 7n, balances: [{ currency: "GBP", minor: 1050n }] },
      liveTopic: "balanceChanged",
    });
    const live2 = outboxRow({ type: "games.round_updated", aggregateId: "r-9", playerId: "p-2", payload: { state: "open" }, liveTopic: "roundUpdated" });
    await insertRows(db.sql, [plain, live1, live2]);
    const bus = new RecordingBus();
    const live = new RecordingLive();
    relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live, log, pollIntervalMs: 10 });

    await waitFor("published", () => bus.published.length === 3);
    await waitFor("live messages", () => live.messages.length === 2);
    expect(live.messages).toEqual([
      { topic: "balanceChanged", playerId: "p-1", eventId: live1.id, payload: { playerId: "p-1", version: "7", balances: [{ currency: "GBP", minor: "1050" }] } },
      { topic: "roundUpdated", playerId: "p-2", eventId: live2.id, payload: { state: "open" } },
    ]);
  });

  it("hands a batch's live messages to publishMany in one call, in seq order, after the bus", async () => {
    const rows = Array.from({ length: 6 }, (_, i) =>
      outboxRow({ type: "wallet.transaction_posted", aggregateId: `t-${i}`, playerId: `p-${i % 2}`, payload: { n: i }, liveTopic: i === 3 ? null : "balanceChanged" }),
    );
    await insertRows(db.sql, rows);
    const bus = new RecordingBus();
    const live = new BatchingLive();
    let busDoneBeforeLive: boolean | undefined;
    const publishMany = live.publishMany.bind(live);
    live.publishMany = async (messages) => {
      busDoneBeforeLive = bus.published.length === rows.length;
      await publishMany(messages);
    };
    relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live, log, pollIntervalMs: 10 });

    await waitFor("live messages", () => live.messages.length === 5);
    await waitFor("marked", async () => (await unpublishedCount(db.sql)) === 0);
    expect(live.batches).toHaveLength(1);
    expect(live.batches[0]!.map((m) => m.eventId)).toEqual(rows.filter((r) => r.liveTopic).map((r) => r.id));
    expect(busDoneBeforeLive).toBe(true);
  });

  it("keeps the rows unpublished when the live channel fails, and publishes them again", async () => {
    const rows = rowsOf(4).map((r) => ({ ...r, liveTopic: "balanceChanged" }));
    await insertRows(db.sql, rows);
    const bus = new RecordingBus();
    const live = new BatchingLive();
    let failures = 2;
    const publishMany = live.publishMany.bind(live);
    live.publishMany = async (messages) => {
      if (failures-- > 0) throw new Error("live down");
      await publishMany(messages);
    };
    relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live, log, pollIntervalMs: 10, maxBackoffMs: 20 });

    await waitFor("published after the live channel recovered", async () => (await unpublishedCount(db.sql)) === 0);
    // At least once: the bus saw the batch on every attempt, the live channel on the last.
    expect(bus.published.map((e) => e.id)).toEqual([...rows, ...rows, ...rows].map((r) => r.id));
    expect(live.batches.map((b) => b.map((m) => m.eventId))).toEqual([rows.map((r) => r.id)]);
  });

  it("feeds a real in-process bus and live channel end to end", async () => {
    const bus = new InProcessBus();
    const live = new InProcessLiveChannel();
    const seen: DomainEvent[] = [];
    const liveSeen: LiveMessage[] = [];
    await bus.subscribe("reporting", ["wallet.balance_changed"], async (e) => void seen.push(e));
    await live.subscribe("p-1", (m) => void liveSeen.push(m));
    relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live, log, pollIntervalMs: 60_000 });

    const row = outboxRow({ type: "wallet.balance_changed", aggregateId: "w", playerId: "p-1", payload: { v: 1n }, liveTopic: "balanceChanged" });
    await insertRows(db.sql, [row]);
    relay.kick();

    await waitFor("event delivered", () => seen.length === 1 && liveSeen.length === 1);
    expect(seen[0]).toMatchObject({ id: row.id, payload: { v: "1" } });
    expect(liveSeen[0]).toEqual({ topic: "balanceChanged", playerId: "p-1", eventId: row.id, payload: { v: "1" } });
    await relay.stop();
    relay = undefined;
    await bus.close();
    await live.close();
  });

  it("runs at once on kick, coalescing kicks that arrive during a run into one more run", async () => {
    let runs = 0;
    const counting: SqlExecutor = {
      dialect: db.sql.dialect,
      query: (s, p) => {
        if (/FROM outbox_event\s+WHERE published_at IS NULL/.test(s)) runs += 1;
        return db.sql.query(s, p);
      },
      exec: (s) => db.sql.exec(s),
      transaction: (fn) => db.sql.transaction(fn),
    };
    const bus = new RecordingBus();
    relay = startOutboxRelay({ service: "wallet", sql: counting, bus, live: new RecordingLive(), log, pollIntervalMs: 60_000 });
    await waitFor("initial empty run", () => runs === 1);
    await sleep(20);

    const gate = deferred();
    bus.gate = gate.promise;
    const first = rowsOf(1);
    await insertRows(db.sql, first);
    relay.kick();
    await waitFor("run in flight", () => bus.publishCalls === 1);
    // Also proves the embedded relay does not hold PGlite while a batch is being published.
    const second = rowsOf(2, 1);
    await insertRows(db.sql, second);
    for (let i = 0; i < 10; i++) relay.kick();
    bus.gate = undefined;
    gate.resolve();

    await waitFor("both runs done", () => bus.published.length === 3);
    await sleep(100);
    expect(runs).toBe(3);
    expect(bus.published.map((e) => e.id)).toEqual([...first, ...second].map((r) => r.id));
  });

  it("stop waits for the run in flight and then stays stopped", async () => {
    const bus = new RecordingBus();
    const gate = deferred();
    bus.gate = gate.promise;
    await insertRows(db.sql, rowsOf(5));
    relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live: new RecordingLive(), log, pollIntervalMs: 10 });
    await waitFor("publish started", () => bus.publishCalls === 1);

    let stopped = false;
    const stopping = relay.stop().then(() => void (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(bus.published).toHaveLength(5);
    expect(await unpublishedCount(db.sql)).toBe(0);

    bus.gate = undefined;
    await insertRows(db.sql, rowsOf(1, 5));
    relay.kick();
    await sleep(100);
    expect(bus.publishCalls).toBe(1);
    expect(await unpublishedCount(db.sql)).toBe(1);
    relay = undefined;
  });
});

/** Prisma's overloads, as the generated client declares them, to prove consumeOnce accepts it. */
type PrismaPromise<T> = Promise<T> & { readonly [Symbol.toStringTag]: "PrismaPromise" };

class PgliteAsPrisma {
  constructor(private readonly db: PGlite | Transaction) {}

  $transaction<P extends PrismaPromise<unknown>[]>(arg: [...P], options?: { isolationLevel?: string }): Promise<unknown[]>;
  $transaction<R>(fn: (prisma: Omit<PgliteAsPrisma, "$transaction">) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $transaction(arg: unknown): Promise<unknown> {
    if (typeof arg !== "function" || !("transaction" in this.db)) throw new Error("only interactive transactions on the root client");
    const fn = arg as (tx: PgliteAsPrisma) => Promise<unknown>;
    return this.db.transaction((tx) => fn(new PgliteAsPrisma(tx)));
  }

  $executeRawUnsafe(query: string, ...values: unknown[]): PrismaPromise<number> {
    return this.db.query(query, values).then((r) => r.affectedRows ?? 0) as PrismaPromise<number>;
  }

  async $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T[]> {
    return (await this.db.query<T>(query, values)).rows;
  }
}

describe("consumeOnce", () => {
  let pg: PGlite;
  let prisma: PgliteAsPrisma;

  beforeEach(async () => {
    pg = await PGlite.create();
    await pg.exec(OUTBOX_DDL);
    await pg.exec(`CREATE TABLE projection (event_id uuid PRIMARY KEY, consumer text NOT NULL)`);
    prisma = new PgliteAsPrisma(pg);
  });

  afterEach(async () => {
    await pg.close();
  });

  const event = { id: "6f1c1c53-1d7e-4a7c-9a51-0d6f8f3f2a10" };
  const project = (consumer: string) => async (tx: Omit<PgliteAsPrisma, "$transaction">) => {
    await tx.$executeRawUnsafe(`INSERT INTO projection (event_id, consumer) VALUES ($1, $2)`, event.id, consumer);
  };

  it("runs the handler once per consumer and event, skipping redeliveries", async () => {
    let calls = 0;
    const handle = async (tx: Omit<PgliteAsPrisma, "$transaction">) => {
      calls += 1;
      await project("reporting")(tx);
    };
    expect(await consumeOnce(prisma, "reporting", event, handle)).toBe(true);
    expect(await consumeOnce(prisma, "reporting", event, handle)).toBe(false);
    expect(calls).toBe(1);
    expect(await consumeOnce(prisma, "compliance", event, async () => undefined)).toBe(true);

    const processed = await prisma.$queryRawUnsafe<{ consumer: string; event_id: string }>(
      `SELECT consumer, event_id FROM processed_event ORDER BY consumer`,
    );
    expect(processed).toEqual([
      { consumer: "compliance", event_id: event.id },
      { consumer: "reporting", event_id: event.id },
    ]);
  });

  it("rolls the marker back with the handler's writes when the handler fails, so a retry runs it", async () => {
    const failing = async (tx: Omit<PgliteAsPrisma, "$transaction">) => {
      await project("reporting")(tx);
      throw new Error("projection failed");
    };
    await expect(consumeOnce(prisma, "reporting", event, failing)).rejects.toThrow("projection failed");
    expect(await prisma.$queryRawUnsafe(`SELECT * FROM processed_event`)).toEqual([]);
    expect(await prisma.$queryRawUnsafe(`SELECT * FROM projection`)).toEqual([]);

    expect(await consumeOnce(prisma, "reporting", event, project("reporting"))).toBe(true);
    expect(await prisma.$queryRawUnsafe(`SELECT event_id FROM projection`)).toEqual([{ event_id: event.id }]);
  });
});
