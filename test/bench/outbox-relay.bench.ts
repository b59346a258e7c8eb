/**
 * Cost of the outbox relay per event, measured where it is robust on a shared machine: CPU of the
 * relay's process, of the PostgreSQL backends that serve it and of redis-server, WAL written for the
 * outbox table and its indexes (pg_walinspect, so other databases' traffic is not counted), and the
 * rows the relay updates or deletes (pg_stat_user_tables). Wall time is reported, not relied on.
 *
 * Scenario: BENCH_EVENTS (default 20,000) rows shaped like the wallet's wallet.transaction_posted
 * events (payload and live topic as ledger_post() writes them) are inserted, then the relay starts
 * with the Redis bus and live channel and drains them in full batches, the state it is in when it
 * falls behind the writes. BENCH_ROUNDS rounds (default 3); medians are reported.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/walletperf REDIS_URL=redis://127.0.0.1:6379 \
 *     node --expose-gc --import tsx test/bench/outbox-relay.bench.ts
 *
 * With --expose-gc the setup's garbage is collected before the relay starts, so the relay's CPU is
 * its own. BENCH_CPU_PROF=1 writes a CPU profile of the relay phase to bench-results/profiles/.
 *
 * The database must allow CREATE EXTENSION pg_walinspect (superuser); the benchmark creates its own
 * schema and drops it at the end.
 */
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import { execFileSync } from "node:child_process";
import { Session } from "node:inspector/promises";
import pg from "pg";
import { openDatabase } from "../../packages/kernel/src/db/database.ts";
import { startOutboxRelay } from "../../packages/kernel/src/events/outbox.ts";
import { RedisLiveChannel, RedisStreamBus } from "../../packages/kernel/src/events/redis.ts";
import { createLogger } from "../../packages/kernel/src/logger.ts";
import { OUTBOX_DDL } from "../../packages/kernel/test/support/events.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/walletperf";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TICKS = 100; // USER_HZ on Linux

const log = createLogger("bench", "silent");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function procTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

function redisPid(): number | undefined {
  try {
    return Number(execFileSync("pgrep", ["-o", "redis-server"], { encoding: "utf8" }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

function walletPayload(playerId: string, n: number) {
  return {
    transactionId: randomUUID(),
    type: n % 2 ? "WIN" : "STAKE",
    playerId,
    currency: "EUR",
    amountMinor: n % 2 ? "150" : "-100",
    balanceAfterMinor: String(100_000 + n),
    bonusAmountMinor: "0",
    bonusBalanceAfterMinor: "0",
    reservedAmountMinor: "0",
    walletVersion: String(n),
    refKey: n % 2 ? `stake-${n - 1}` : null,
    reference: { roundId: `round-${n >> 1}`, gameId: "five-crowns", providerId: "inhouse" },
    version: n,
    balance: { amount: "1000.00", currency: "EUR" },
    balances: [{ amount: "1000.00", currency: "EUR" }],
    bonusBalances: [{ amount: "0.00", currency: "EUR" }],
  };
}

interface RoundResult {
  events: number;
  seconds: number;
  relayCpuUsPerEvent: number;
  pgBackendCpuUsPerEvent: number;
  redisCpuUsPerEvent: number;
  walBytesPerEvent: number;
  walRecordsPerEvent: number;
  fpiPerEvent: number;
  rowsUpdatedPerEvent: number;
  rowsDeletedPerEvent: number;
}

async function round(admin: pg.Client, dbName: string): Promise<RoundResult> {
  const schema = `relay_bench_${randomBytes(4).toString("hex")}`;
  const prefix = `bench:${schema}:`;
  const db = await openDatabase({ url: DATABASE_URL, schema, dataDir: "unused", poolSize: 4 });
  const bus = new RedisStreamBus({ url: REDIS_URL, keyPrefix: prefix, log, maxLen: EVENTS * 2 });
  const live = new RedisLiveChannel({ url: REDIS_URL, keyPrefix: prefix, log });
  try {
    await db.sql.exec(OUTBOX_DDL);
    const players = Array.from({ length: 1_000 }, () => randomUUID());
    for (let from = 0; from < EVENTS; from += 1_000) {
      const n = Math.min(1_000, EVENTS - from);
      const ids: string[] = [], aggs: string[] = [], pls: string[] = [], payloads: string[] = [];
      for (let i = from; i < from + n; i++) {
        const p = players[i % players.length]!;
        ids.push(randomUUID());
        aggs.push(randomUUID());
        pls.push(p);
        payloads.push(JSON.stringify(walletPayload(p, i)));
      }
      await db.sql.query(
        `INSERT INTO outbox_event (id, type, aggregate_id, player_id, payload, live_topic)
         SELECT id, 'wallet.transaction_posted', agg, pl, payload::jsonb, 'balanceChanged'
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, agg, pl, payload)`,
        [ids, aggs, pls, payloads],
      );
    }
    await db.sql.exec(`VACUUM ANALYZE outbox_event`);
    // Open the Redis connections before measuring.
    await bus.publish([]);
    await live.publish({ topic: "warmup", playerId: "warmup", eventId: randomUUID(), payload: {} });

    const rels = (await admin.query(
      `SELECT c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND (c.relname = 'outbox_event' OR c.relname LIKE 'outbox_event_%')`,
      [schema],
    )).rows.map((r) => Number(r.relfilenode));
    const stat = async () =>
      (await admin.query(`SELECT n_tup_upd::int AS upd, n_tup_del::int AS del FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'outbox_event'`, [schema])).rows[0] as { upd: number; del: number };
    const backends = async () =>
      (await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName])).rows.map((r) => Number(r.pid));

    (globalThis as { gc?: () => void }).gc?.();
    const profiler = process.env.BENCH_CPU_PROF ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.start");
    }
    const rpid = redisPid();
    const pids = await backends();
    const before = {
      lsn: (await admin.query(`SELECT pg_current_wal_flush_lsn() AS l`)).rows[0].l as string,
      stat: await stat(),
      backend: pids.reduce((s, p) => s + procTicks(p), 0),
      redis: rpid ? procTicks(rpid) : 0,
      cpu: process.cpuUsage(),
      t: process.hrtime.bigint(),
    };
    const relay = startOutboxRelay({ service: "wallet", sql: db.sql, bus, live, log });
    for (;;) {
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_event WHERE published_at IS NULL`).catch(() => ({ rows: [{ n: 1 }] }));
      // A relay that deletes what it published leaves no rows at all.
      if (rows[0].n === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = Number(process.hrtime.bigint() - before.t) / 1e9;
    await relay.stop();
    const cpu = process.cpuUsage(before.cpu);
    if (profiler) {
      const { profile } = await profiler.post("Profiler.stop");
      fs.mkdirSync("bench-results/profiles", { recursive: true });
      fs.writeFileSync(`bench-results/profiles/outbox-relay-${Date.now()}.cpuprofile`, JSON.stringify(profile));
      profiler.disconnect();
    }
    const allPids = new Set([...pids, ...(await backends())]);
    const backendTicks = [...allPids].reduce((s, p) => s + procTicks(p), 0) - before.backend;
    const redisTicks = rpid ? procTicks(rpid) - before.redis : 0;
    const after = await stat();
    const lsnEnd = (await admin.query(`SELECT pg_current_wal_flush_lsn() AS l`)).rows[0].l as string;
    const wal = (await admin.query(
      `SELECT count(*)::int AS records, coalesce(sum(record_length), 0)::bigint AS bytes, coalesce(sum(fpi_length), 0)::bigint AS fpi
         FROM pg_get_wal_records_info($1, $2)
        WHERE block_ref ~ ANY($3::text[])`,
      [before.lsn, lsnEnd, rels.map((r) => `rel \\d+/\\d+/${r}( |$|,)`)],
    )).rows[0] as { records: number; bytes: string; fpi: string };
    // The backlog includes the events published by the relay in this round only.
    const events = EVENTS;
    return {
      events,
      seconds,
      relayCpuUsPerEvent: (cpu.user + cpu.system) / events,
      pgBackendCpuUsPerEvent: (backendTicks * (1e6 / TICKS)) / events,
      redisCpuUsPerEvent: (redisTicks * (1e6 / TICKS)) / events,
      walBytesPerEvent: Number(wal.bytes) / events,
      walRecordsPerEvent: wal.records / events,
      fpiPerEvent: Number(wal.fpi) / events,
      rowsUpdatedPerEvent: (after.upd - before.stat.upd) / events,
      rowsDeletedPerEvent: (after.del - before.stat.del) / events,
    };
  } finally {
    await bus.close().catch(() => undefined);
    await live.close().catch(() => undefined);
    await db.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    const { Redis } = await import("ioredis");
    const r = new Redis(REDIS_URL);
    await r.del(`${prefix}events`);
    await r.quit();
  }
}

async function main(): Promise<void> {
  const dbName = new URL(DATABASE_URL).pathname.slice(1);
  const root = new pg.Client({ connectionString: DATABASE_URL.replace(/\/[^/]*$/, "/postgres") });
  await root.connect();
  const exists = (await root.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [dbName])).rowCount;
  if (!exists) await root.query(`CREATE DATABASE "${dbName}"`);
  await root.end();
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE EXTENSION IF NOT EXISTS pg_walinspect`);
  const results: RoundResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round(admin, dbName);
    results.push(r);
    process.stderr.write(`round ${i + 1}: ${JSON.stringify(r, (_k, v) => (typeof v === "number" ? Math.round(v * 100) / 100 : v))}\n`);
  }
  await admin.end();
  const keys = Object.keys(results[0]!) as (keyof RoundResult)[];
  const summary = Object.fromEntries(keys.map((k) => [k, Math.round(median(results.map((r) => r[k])) * 100) / 100]));
  const out = { bench: "outbox-relay", at: new Date().toISOString(), events: EVENTS, rounds: ROUNDS, median: summary };
  fs.mkdirSync("bench-results", { recursive: true });
  fs.writeFileSync(`bench-results/outbox-relay-${Date.now()}.json`, JSON.stringify({ ...out, rounds_detail: results }, null, 2));
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
