/**
 * What one wallet request costs, measured where it is robust on a shared machine: CPU time of the
 * wallet process (its outbox relay included) and of the PostgreSQL backends serving it, per request,
 * from /proc/<pid>/stat; rows inserted/updated/deleted per ledger transaction (pg_stat_user_tables);
 * WAL records and bytes per transaction for the wallet's own tables (pg_walinspect). Latency is not
 * reported: on a shared machine it measures the neighbours.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/walletperf REDIS_URL=redis://127.0.0.1:6379 \
 *     node --import tsx test/bench/wallet-cpu.bench.ts
 *
 * Phases, each a fixed number of requests in a closed loop at BENCH_CONCURRENCY (default 8):
 *   writes  BENCH_PAIRS (default 3,000) STAKE+WIN pairs on random wallets of BENCH_WALLETS (2,000),
 *           then a wait until the relay has published every outbox row (its cost counts)
 *   reads   BENCH_READS (default 20,000) GET /balance?playerId=&currency= on random wallets
 * BENCH_ROUNDS rounds (default 3) of both; medians are reported. The database must be one of the
 * benchmark's own (its backends are told apart by database name) and allow CREATE EXTENSION
 * pg_walinspect. BENCH_CPU_PROF=1 writes a V8 CPU profile of the wallet process to
 * bench-results/profiles/ (summarise it with cpuprofile-top.ts).
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { generateSigningKeyPair } from "@casino/kernel/auth/tokens";
import { generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import { REPO_ROOT } from "@casino/kernel/supervisor";
import { genesisHash } from "@casino/wallet/ledger/rules";
import { WalletClient } from "@casino/wallet-client";
import { forkService, freePort, round, waitReady } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/walletperf";
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const WALLETS = Number(process.env.BENCH_WALLETS ?? 2_000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 3_000);
const READS = Number(process.env.BENCH_READS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TICK_US = 1e6 / 100; // USER_HZ
const CURRENCY = "GBP";

const log = (msg: string) => process.stderr.write(`[bench:wallet-cpu] ${msg}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function ticks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

const dbName = new URL(DATABASE_URL).pathname.slice(1);
{
  const root = new pg.Client({ connectionString: DATABASE_URL.replace(/\/[^/]*$/, "/postgres") });
  await root.connect();
  if (!(await root.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [dbName])).rowCount) await root.query(`CREATE DATABASE "${dbName}"`);
  await root.end();
}
const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
await admin.query(`CREATE EXTENSION IF NOT EXISTS pg_walinspect`);

const schema = `bench_wcpu_${process.pid}`;
const port = await freePort();
const serviceSecret = generateServiceTokenSecret();
const keys = generateSigningKeyPair();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-wallet-cpu-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  WALLET_PORT: String(port),
  DATABASE_URL,
  REDIS_URL,
  WALLET_DATABASE_SCHEMA: schema,
  REDIS_KEY_PREFIX: `bench:wcpu:${process.pid}:`,
  AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem,
  SERVICE_TOKEN_SECRET: serviceSecret,
  DATA_DIR: dataDir,
  APOLLO_TELEMETRY_DISABLED: "1",
};
for (const k of ["WALLET_DATABASE_URL", "WALLET_REDIS_URL", "WALLET_FAILPOINT"]) delete env[k];
const execArgv = ["--import", "tsx"];
if (process.env.BENCH_CPU_PROF === "1") {
  const dir = path.join(REPO_ROOT, "bench-results", "profiles");
  fs.mkdirSync(dir, { recursive: true });
  execArgv.push("--cpu-prof", `--cpu-prof-dir=${dir}`, `--cpu-prof-name=wallet-cpu-${process.pid}.cpuprofile`);
}
const wallet = forkService(path.join(REPO_ROOT, "subgraphs/wallet/src/main.ts"), env, execArgv, REPO_ROOT);
const baseUrl = `http://127.0.0.1:${port}`;
const games = new WalletClient({ baseUrl, serviceTokenSecret: serviceSecret, caller: "games", connections: 64, attempts: 1, timeoutMs: 30_000 });
const payments = new WalletClient({ baseUrl, serviceTokenSecret: serviceSecret, caller: "payments", connections: 32, attempts: 1, timeoutMs: 30_000 });

async function closed(n: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await one(next++);
  }));
}

interface Snapshot {
  wallet: number;
  backends: Map<number, number>;
  lsn: string;
  rows: { ins: number; upd: number; del: number };
}

async function backendPids(): Promise<number[]> {
  return (await admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName])).rows.map((r) => Number(r.pid));
}

async function snapshot(pids: number[]): Promise<Snapshot> {
  // Table statistics reach the shared view when a backend goes idle and at most once a second.
  await new Promise((r) => setTimeout(r, 1_100));
  const rows = (await admin.query(
    `SELECT coalesce(sum(n_tup_ins), 0)::bigint AS ins, coalesce(sum(n_tup_upd), 0)::bigint AS upd, coalesce(sum(n_tup_del), 0)::bigint AS del
       FROM pg_stat_user_tables WHERE schemaname = $1`,
    [schema],
  )).rows[0];
  return {
    wallet: ticks(wallet.child.pid!),
    backends: new Map([...pids, ...(await backendPids())].map((p) => [p, ticks(p)])),
    lsn: (await admin.query(`SELECT pg_current_wal_flush_lsn() AS l`)).rows[0].l,
    rows: { ins: Number(rows.ins), upd: Number(rows.upd), del: Number(rows.del) },
  };
}

/** CPU ticks of the backends between two snapshots: those that ended in between are not counted. */
function backendTicks(a: Snapshot, b: Snapshot): number {
  let sum = 0;
  for (const [pid, t] of b.backends) if (t > 0) sum += t - (a.backends.get(pid) ?? 0);
  return sum;
}

/** Time inside the schema's SQL functions (pg_stat_user_functions), when track_functions records it. */
async function functionTimes(): Promise<Map<string, { calls: number; totalMs: number; selfMs: number }>> {
  await admin.query(`SELECT pg_stat_clear_snapshot()`);
  const rows = (await admin.query(
    `SELECT funcname, calls::int AS calls, total_time AS total, self_time AS self FROM pg_stat_user_functions WHERE schemaname = $1`,
    [schema],
  )).rows;
  return new Map(rows.map((r) => [String(r.funcname), { calls: Number(r.calls), totalMs: Number(r.total), selfMs: Number(r.self) }]));
}

async function walOf(from: string, to: string): Promise<{ records: number; bytes: number }> {
  const rels = (await admin.query(
    `SELECT c.relfilenode FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relfilenode <> 0`,
    [schema],
  )).rows.map((r) => String(r.relfilenode));
  const r = (await admin.query(
    `SELECT count(*)::int AS records, coalesce(sum(record_length), 0)::bigint AS bytes
       FROM pg_get_wal_records_info($1, $2)
      WHERE (regexp_match(block_ref, 'rel \\d+/\\d+/(\\d+)'))[1] = ANY($3::text[])`,
    [from, to, rels],
  )).rows[0];
  return { records: r.records, bytes: Number(r.bytes) };
}

const results: Record<string, number>[] = [];
try {
  await waitReady(`${baseUrl}/readyz`, wallet.child, 90_000);
  const ids = Array.from({ length: WALLETS }, () => randomUUID());
  await admin.query(
    `INSERT INTO "${schema}".wallet (player_id, default_currency, version, head_hash) SELECT p, $3, 0, h FROM unnest($1::uuid[], $2::text[]) AS t(p, h)`,
    [ids, ids.map(genesisHash), CURRENCY],
  );
  await closed(ids.length, async (i) => {
    await payments.post({ type: "DEPOSIT", playerId: ids[i]!, currency: CURRENCY, amount: "100000000", idempotencyKey: `fund-${ids[i]}`, counterRef: "bench-psp" });
  });
  // Warm-up: JIT, pools, plans.
  let key = 0;
  const pair = async () => {
    const playerId = ids[(Math.random() * ids.length) | 0]!;
    const k = `k${process.pid}-${key++}`;
    await games.post({ type: "STAKE", playerId, currency: CURRENCY, amount: "100", idempotencyKey: `${k}-s`, counterRef: "bench-provider" });
    await games.post({ type: "WIN", playerId, currency: CURRENCY, amount: "90", idempotencyKey: `${k}-w`, refKey: `${k}-s`, counterRef: "bench-provider" });
  };
  const read = async () => {
    await games.balance(ids[(Math.random() * ids.length) | 0]!, CURRENCY);
  };
  await closed(500, pair);
  await closed(2_000, read);
  const unpublished = async () =>
    Number((await admin.query(`SELECT count(*)::int AS n FROM "${schema}".outbox_event WHERE published_at IS NULL`)).rows[0].n);

  for (let r = 0; r < ROUNDS; r++) {
    while ((await unpublished()) > 0) await new Promise((res) => setTimeout(res, 50));
    const pids = await backendPids();
    const w0 = await snapshot(pids);
    const f0 = await functionTimes();
    const t0 = performance.now();
    await closed(PAIRS, pair);
    const writeSeconds = (performance.now() - t0) / 1000;
    while ((await unpublished()) > 0) await new Promise((res) => setTimeout(res, 20));
    const w1 = await snapshot(pids);
    const f1 = await functionTimes();
    const wal = await walOf(w0.lsn, w1.lsn);
    const tx = PAIRS * 2;

    const r0 = await snapshot(pids);
    const t1 = performance.now();
    await closed(READS, read);
    const readSeconds = (performance.now() - t1) / 1000;
    const r1 = await snapshot(pids);

    const res = {
      writeWalletCpuUsPerTx: ((w1.wallet - w0.wallet) * TICK_US) / tx,
      writeBackendCpuUsPerTx: (backendTicks(w0, w1) * TICK_US) / tx,
      rowsInsertedPerTx: (w1.rows.ins - w0.rows.ins) / tx,
      rowsUpdatedPerTx: (w1.rows.upd - w0.rows.upd) / tx,
      rowsDeletedPerTx: (w1.rows.del - w0.rows.del) / tx,
      walRecordsPerTx: wal.records / tx,
      walBytesPerTx: wal.bytes / tx,
      writeTxPerSecond: tx / writeSeconds,
      readWalletCpuUsPerRead: ((r1.wallet - r0.wallet) * TICK_US) / READS,
      readBackendCpuUsPerRead: (backendTicks(r0, r1) * TICK_US) / READS,
      readsPerSecond: READS / readSeconds,
    };
    results.push(res);
    if (f1.size > 0) {
      // Wall time inside each function per ledger transaction (SET track_functions = 'all' on the database to see it).
      const perTx = [...f1].map(([name, f]) => {
        const b = f0.get(name) ?? { calls: 0, totalMs: 0, selfMs: 0 };
        return { name, callsPerTx: round((f.calls - b.calls) / tx, 2), totalUsPerTx: round(((f.totalMs - b.totalMs) * 1000) / tx, 1), selfUsPerTx: round(((f.selfMs - b.selfMs) * 1000) / tx, 1) };
      }).filter((f) => f.callsPerTx > 0);
      log(`round ${r + 1} functions: ${JSON.stringify(perTx)}`);
    }
    log(`round ${r + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(res).map(([k, v]) => [k, round(v, 2)])))}`);
  }
} finally {
  await games.close();
  await payments.close();
  wallet.child.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 1_000));
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await admin.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
const summary = Object.fromEntries(Object.keys(results[0] ?? {}).map((k) => [k, round(median(results.map((r) => r[k]!)), 2)]));
const out = { bench: "wallet-cpu", at: new Date().toISOString(), git: execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim(), wallets: WALLETS, pairs: PAIRS, reads: READS, concurrency: CONCURRENCY, rounds: ROUNDS, median: summary };
fs.mkdirSync(path.join(REPO_ROOT, "bench-results"), { recursive: true });
fs.writeFileSync(path.join(REPO_ROOT, "bench-results", "wallet-cpu.json"), JSON.stringify({ ...out, rounds_detail: results }, null, 2));
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
