import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { openDatabase, type Database } from "../src/db/database.ts";
import type { SqlExecutor } from "../src/db/sql.ts";
import { SELECT_BATCH, outboxRow, startOutboxRelay, type OutboxRowData } from "../src/events/outbox.ts";
import type { DomainEvent, EventBus, EventSubscription, LiveChannel, LiveMessage } from "../src/events/types.ts";
import { createLogger } from "../src/logger.ts";
import { deferred, OUTBOX_DDL, sleep, waitFor } from "./support/events.ts";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const schema = `outbox_test_${randomBytes(6).toString("hex")}`;
const log = createLogger("test", "silent");

/**
 * Shared by both relays. A slow publish of random length widens the window in which they could
 * overlap and lets a later batch finish first if they ever did.
 */
class SlowRecordingBus {
  readonly published: { relay: string; event: DomainEvent }[] = [];
  failing = false;
  calls = 0;
  constructor(private readonly delayMs: number) {}
  forRelay(relay: string): EventBus {
    return {
      publish: async (events) => {
        this.calls += 1;
        await sleep(Math.random() * this.delayMs);
        if (this.failing) throw new Error("bus down");
        for (const event of events) this.published.push({ relay, event });
      },
      subscribe: async (): Promise<EventSubscription> => {
        throw new Error("not used");
      },
      close: async () => undefined,
    };
  }
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

const noLive: LiveChannel = {
  publish: async (_m: LiveMessage) => undefined,
  subscribe: async () => async () => undefined,
  close: async () => undefined,
};

describe("outbox relay on PostgreSQL", () => {
  let admin: pg.Client;
  let a: Database;
  let b: Database;

  beforeAll(async () => {
    a = await openDatabase({ url: PG_URL, schema, dataDir: "unused" });
    b = await openDatabase({ url: PG_URL, schema, dataDir: "unused" });
    await a.sql.exec(OUTBOX_DDL);
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });

  beforeEach(async () => {
    await a.sql.exec(`TRUNCATE outbox_event, processed_event`);
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end();
  });

  it("finds the unpublished rows through the (published_at, seq) index, however stale the statistics", async () => {
    // The statistics are taken during a burst (10,000 rows waiting), then the relay catches up: the
    // table holds 60,000 published rows and a few waiting ones, and the planner still believes in
    // 10,000 waiting. Sorting by seq alone, it walked the primary key past every published row.
    await admin.query(`SET search_path = "${schema}"`);
    await admin.query(`INSERT INTO outbox_event (id, type, aggregate_id, payload, published_at)
      SELECT gen_random_uuid(), 't', 'a', '{}', CASE WHEN n > 50000 THEN NULL ELSE now() END FROM generate_series(1, 60000) AS n`);
    await admin.query(`ANALYZE outbox_event`);
    await admin.query(`UPDATE outbox_event SET published_at = now() WHERE published_at IS NULL AND seq < (SELECT max(seq) - 20 FROM outbox_event)`);
    const [plan] = (await admin.query(`EXPLAIN (FORMAT JSON) ${SELECT_BATCH.replace("$1", "256")}`)).rows[0]["QUERY PLAN"] as Array<{ Plan: PlanNode }>;
    const nodes: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      nodes.push(n);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(plan!.Plan);
    expect(nodes.map((n) => n["Node Type"])).toEqual(["Limit", "Index Scan"]);
    expect(nodes[1]).toMatchObject({ "Index Name": "outbox_event_published_at_seq_idx", "Index Cond": "(published_at IS NULL)" });
    const max = Number((await admin.query(`SELECT max(seq) AS m FROM outbox_event`)).rows[0].m);
    const waiting = await a.sql.query<{ seq: string }>(SELECT_BATCH, [256]);
    expect(waiting.map((r) => Number(r.seq))).toEqual(Array.from({ length: 21 }, (_, i) => max - 20 + i));
    await admin.query(`RESET search_path`);
  });

  async function insert(rows: OutboxRowData[]): Promise<void> {
    await a.sql.transaction(async (tx) => {
      for (const r of rows) {
        await tx.query(
          `INSERT INTO outbox_event (id, type, aggregate_id, player_id, payload, live_topic) VALUES ($1, $2, $3, $4, $5, $6)`,
          [r.id, r.type, r.aggregateId, r.playerId, JSON.stringify(r.payload), r.liveTopic],
        );
      }
    });
  }

  const rows = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => outboxRow({ type: "payments.deposit_settled", aggregateId: `d-${from + i}`, payload: { n: from + i, amount: 100n } }));

  it("two relays on one table never publish a row twice and keep seq order between them", async () => {
    const bus = new SlowRecordingBus(10);
    const inserted: OutboxRowData[] = [];
    const first = rows(300, 0);
    await insert(first);
    inserted.push(...first);

    const relayA = startOutboxRelay({ service: "payments", sql: a.sql, bus: bus.forRelay("a"), live: noLive, log, batchSize: 25, pollIntervalMs: 5 });
    const relayB = startOutboxRelay({ service: "payments", sql: b.sql, bus: bus.forRelay("b"), live: noLive, log, batchSize: 25, pollIntervalMs: 5 });
    // Keep committing while both relays run, kicking both as services do after a commit.
    for (let i = 0; i < 20; i++) {
      const more = rows(10, 300 + i * 10);
      await insert(more);
      inserted.push(...more);
      relayA.kick();
      relayB.kick();
      await sleep(3);
    }
    await waitFor("everything published", () => bus.published.length >= inserted.length, 30_000);
    await sleep(200);
    await Promise.all([relayA.stop(), relayB.stop()]);

    const ids = bus.published.map((p) => p.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(inserted.map((r) => r.id));
    expect(new Set(bus.published.map((p) => p.relay))).toEqual(new Set(["a", "b"]));
    expect(bus.published[0]!.event.payload).toEqual({ n: 0, amount: "100" });
    const [left] = await a.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`);
    expect(left!.n).toBe(0);
  });

  it("holds no row locks on the rows it is publishing (the advisory lock alone orders the relays)", async () => {
    const gate = deferred();
    let publishing = false;
    const published: DomainEvent[] = [];
    const gatedBus: EventBus = {
      publish: async (events) => {
        publishing = true;
        await gate.promise;
        published.push(...events);
      },
      subscribe: async (): Promise<EventSubscription> => {
        throw new Error("not used");
      },
      close: async () => undefined,
    };
    const batch = rows(5, 0);
    await insert(batch);
    const relay = startOutboxRelay({ service: "payments", sql: a.sql, bus: gatedBus, live: noLive, log, pollIntervalMs: 10 });
    try {
      await waitFor("publish in flight", () => publishing);
      // A row lock would make NOWAIT fail with 55P03 while the batch is on the wire.
      const locked = await b.sql.transaction((tx) => tx.query<{ seq: string }>(`SELECT seq FROM outbox_event ORDER BY seq FOR UPDATE NOWAIT`));
      expect(locked).toHaveLength(5);
      gate.resolve();
      await waitFor("marked", async () => {
        const [r] = await a.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`);
        return r!.n === 0;
      });
      expect(published.map((e) => e.id)).toEqual(batch.map((r) => r.id));
    } finally {
      gate.resolve();
      await relay.stop();
    }
  });

  it("commits its marks without waiting for a WAL flush, in its own transaction only", async () => {
    const seen: string[] = [];
    // The relay's statements, with a look at the setting its UPDATE runs under on the same connection.
    const spying: SqlExecutor = {
      dialect: a.sql.dialect,
      query: (text, params, options) => a.sql.query(text, params, options),
      exec: (text) => a.sql.exec(text),
      transaction: (fn) =>
        a.sql.transaction((tx) =>
          fn({
            ...tx,
            query: async (text, params, options) => {
              if (/^UPDATE outbox_event/.test(text)) {
                const [row] = await tx.query<{ v: string }>(`SELECT current_setting('synchronous_commit') AS v`);
                seen.push(row!.v);
              }
              return tx.query(text, params, options);
            },
          }),
        ),
    };
    const bus = new SlowRecordingBus(0);
    await insert(rows(3, 0));
    const relay = startOutboxRelay({ service: "payments", sql: spying, bus: bus.forRelay("a"), live: noLive, log, pollIntervalMs: 10 });
    try {
      await waitFor("published", () => bus.published.length === 3);
      await waitFor("marked", () => seen.length > 0);
    } finally {
      await relay.stop();
    }
    expect(seen).toEqual(["off"]);
    // SET LOCAL: the pooled connections are back to the server's setting.
    const settings = await Promise.all(
      Array.from({ length: 4 }, () =>
        a.sql.query<{ same: boolean }>(`SELECT current_setting('synchronous_commit') = reset_val AS same FROM pg_settings WHERE name = 'synchronous_commit'`),
      ),
    );
    expect(settings.map(([r]) => r!.same)).toEqual([true, true, true, true]);
  });

  it("rolls back on a bus failure so the rows stay unpublished until the bus recovers", async () => {
    const bus = new SlowRecordingBus(0);
    bus.failing = true;
    const batch = rows(40, 0);
    await insert(batch);
    const relay = startOutboxRelay({ service: "payments", sql: a.sql, bus: bus.forRelay("a"), live: noLive, log, pollIntervalMs: 10, maxBackoffMs: 40 });
    try {
      await waitFor("failed attempts", () => bus.calls >= 3);
      const [before] = await a.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`);
      expect(before!.n).toBe(40);

      bus.failing = false;
      await waitFor("published after recovery", async () => {
        const [r] = await a.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_event WHERE published_at IS NULL`);
        return r!.n === 0;
      });
      expect(bus.published.map((p) => p.event.id)).toEqual(batch.map((r) => r.id));
    } finally {
      await relay.stop();
    }
  });
});
