/**
 * What one RGS callback costs, in the measures that stay meaningful on a shared machine: CPU time per
 * callback in each process (the games service, the wallet, their PostgreSQL backends, the load
 * generator itself) and statements per callback sent by the games service to its database. Latency
 * percentiles are left to bench:rgs on a quiet machine.
 *
 *   node --import tsx test/bench/rgs-cost.bench.ts
 *
 * Same services and seed as bench:rgs (rgs-support.ts); the games service is started with
 * sql-counter.ts preloaded. After a warm-up, BENCH_COST_ROUNDS Hub88 bet+win pairs run at
 * BENCH_COST_WORKERS concurrent workers (closed loop), then as many STAKE+WIN pairs straight to the
 * wallet; CPU is read from /proc/<pid>/stat (utime + stime) before and after each phase, for the
 * PostgreSQL backends by application_name (PGAPPNAME of each service); `gamesInKernel` is the part of
 * the games service's CPU spent in the kernel (system calls: sockets). Also per callback: WAL bytes
 * (the whole cluster, so both databases) and, for each table of both services, rows inserted and
 * updated and the share of updates that were HOT (no index entry written). Writes bench-results/rgs-cost.json.
 *
 * The Hub88 requests of each phase (bodies and X-Hub88-Signature headers) are built and RSA-signed
 * before its snapshot (rgs-support.ts, `presign`): a real aggregator signs on its own machines, so the
 * generator's CPU per callback is that of sending requests and verifying the answers' signatures, not
 * of signing. The requests stay unique and validly signed; the games service verifies every one and
 * signs every answer. The signing time is reported (`presigned`) and is outside the measured phase.
 *
 * Environment: DATABASE_URL, REDIS_URL (as bench:rgs), BENCH_COST_ROUNDS (2000), BENCH_COST_WORKERS (8),
 * BENCH_PLAYERS (2000), BENCH_RGS_SIGN_INLINE=1 (the generator signs inside the measured phase, as before
 * pre-signing: comparison only), BENCH_CPU_PROF=1 to write a V8 CPU profile of the games service to
 * bench-results/profiles/ (summarise it with cpuprofile-top.ts; the profiler adds its own CPU).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { REPO_ROOT } from "@casino/kernel/supervisor";
import { startRgsBench, type PresignResult, type RgsBench } from "./rgs-support.ts";
import { Recorder, round } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const ROUNDS = Number(process.env.BENCH_COST_ROUNDS ?? 2_000);
const WORKERS = Number(process.env.BENCH_COST_WORKERS ?? 8);
const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 2_000);
/** BENCH_RGS_SIGN_INLINE=1: the generator signs each request inside the window, as before pre-signing (comparison only). */
const SIGN_INLINE = process.env.BENCH_RGS_SIGN_INLINE === "1";
const CPU_PROF = process.env.BENCH_CPU_PROF === "1";
const TICKS = 100; // USER_HZ on Linux

const log = (msg: string) => process.stdout.write(`[bench:rgs-cost] ${msg}\n`);
const appName = (service: string) => `bench-rgs-cost-${service}-${process.pid}`;

/** utime + stime of a process in ms, or 0 once it is gone; `kernel`: stime alone. */
function cpuMs(pid: number, kernel = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((kernel ? 0 : Number(fields[11])) + Number(fields[12])) * 1000 / TICKS;
  } catch {
    return 0;
  }
}

interface Snapshot {
  games: number;
  gamesKernel: number;
  wallet: number;
  generator: number;
  backends: Record<string, Map<number, number>>;
  sql: Record<string, number>;
  /** WAL position in bytes (the whole cluster: both services' databases). */
  wal: bigint;
}

/** Row writes of one table of the games schema, from pg_stat_user_tables. */
interface TableWrites {
  inserted: number;
  updated: number;
  hotUpdated: number;
}

/**
 * Inserts, updates and HOT updates (no index entry written) of every table of both services' schemas,
 * by "service.table". A backend that goes idle within a second of its last report defers the next
 * one by up to 10 s (PostgreSQL 15's idle interval), so this waits that long first.
 */
async function tableWrites(bench: RgsBench): Promise<Record<string, TableWrites>> {
  await new Promise((r) => setTimeout(r, 11_000));
  await bench.admin.query("SELECT pg_stat_clear_snapshot()");
  const { rows } = await bench.admin.query<{ s: string; t: string; ins: string; upd: string; hot: string }>(
    "SELECT schemaname AS s, relname AS t, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE schemaname = ANY($1)",
    [[bench.gamesSchema, bench.walletSchema]],
  );
  const service = (schema: string) => (schema === bench.gamesSchema ? "games" : "wallet");
  return Object.fromEntries(rows.map((r) => [`${service(r.s)}.${r.t}`, { inserted: Number(r.ins), updated: Number(r.upd), hotUpdated: Number(r.hot) }]));
}

async function sqlCounts(bench: RgsBench): Promise<Record<string, number>> {
  const child = bench.games.child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the games service did not report its statement counts (is sql-counter.ts preloaded?)")), 5_000);
    const onMessage = (m: unknown) => {
      const counts = (m as { sqlCounts?: Record<string, number> } | null)?.sqlCounts;
      if (!counts) return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(counts);
    };
    child.on("message", onMessage);
    child.send("sql-counter:read");
  });
}

async function snapshot(bench: RgsBench): Promise<Snapshot> {
  const backends: Snapshot["backends"] = {};
  for (const service of ["games", "wallet"]) {
    const { rows } = await bench.admin.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [appName(service)]);
    backends[service] = new Map(rows.map((r) => [r.pid, cpuMs(r.pid)]));
  }
  const self = process.cpuUsage();
  const wal = BigInt((await bench.admin.query<{ b: string }>("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint::text AS b")).rows[0]!.b);
  return { wal, games: cpuMs(bench.games.child.pid!), gamesKernel: cpuMs(bench.games.child.pid!, true), wallet: cpuMs(bench.wallet.child.pid!), generator: (self.user + self.system) / 1000, backends, sql: await sqlCounts(bench) };
}

/** CPU ms spent between two snapshots, per process group; backends that appeared meanwhile count whole. */
function spent(a: Snapshot, b: Snapshot) {
  const backend = (service: string) => {
    let total = 0;
    for (const [pid, after] of b.backends[service]!) total += after - (a.backends[service]!.get(pid) ?? 0);
    return total;
  };
  return { games: b.games - a.games, gamesInKernel: b.gamesKernel - a.gamesKernel, wallet: b.wallet - a.wallet, gamesBackends: backend("games"), walletBackends: backend("wallet"), generator: b.generator - a.generator };
}

function sqlDelta(a: Snapshot, b: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, n] of Object.entries(b.sql)) {
    const d = n - (a.sql[label] ?? 0);
    if (d > 0) out[label] = d;
  }
  return out;
}

async function rounds(n: number, workers: number, fn: (rec: Recorder) => Promise<void>): Promise<{ rec: Recorder; seconds: number }> {
  const rec = new Recorder();
  let left = n;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (left-- > 0) await fn(rec);
    }),
  );
  return { rec, seconds: (performance.now() - started) / 1000 };
}

let bench: RgsBench;
try {
  bench = await startRgsBench({
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    players: PLAYERS,
    log,
    signInline: SIGN_INLINE,
    gamesExecArgv: [
      "--import",
      "tsx",
      "--import",
      path.join(REPO_ROOT, "test/bench/sql-counter.ts"),
      ...(CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.join(REPO_ROOT, "bench-results", "profiles")}`, `--cpu-prof-name=games-rgs-${process.pid}.cpuprofile`] : []),
    ],
    gamesEnv: { PGAPPNAME: appName("games") },
    walletEnv: { PGAPPNAME: appName("wallet") },
  });
} catch (err) {
  process.stderr.write(`bench:rgs-cost could not start against ${DATABASE_URL}: ${(err as Error).message}\n`);
  process.exit(2);
}

try {
  log(`PostgreSQL ${bench.serverVersion}; ${os.cpus().length} cores; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const presigned: Record<string, PresignResult & { signedInWindow: number }> = {};
  const presign = async (phase: string, n: number) => {
    const p = await bench.presign(n);
    presigned[phase] = { ...p, signedInWindow: 0 };
    log(`    pre-signed ${p.requests} requests (${p.rounds} rounds) in ${p.ms} ms (${p.cpuMs} ms CPU)`);
  };
  log("warm-up: 500 rounds of each path");
  await presign("warmUp", 600);
  await rounds(500, WORKERS, (rec) => bench.walletRound(rec));
  await rounds(500, WORKERS, (rec) => bench.rgsRound(rec));
  // Statistics for the tables the warm-up filled, as a production database has (rgs-support.ts);
  // then the statements are planned again with them.
  await bench.analyze();
  await rounds(100, WORKERS, (rec) => bench.rgsRound(rec));
  presigned.warmUp!.signedInWindow = bench.signedInWindow();

  const phases: Record<string, unknown> = {};
  for (const [name, fn, callsPerRound] of [
    ["rgs", (rec: Recorder) => bench.rgsRound(rec), 2],
    ["walletDirect", (rec: Recorder) => bench.walletRound(rec), 2],
  ] as const) {
    // Signed before the snapshot: the phase measures sending, not the aggregator's signatures.
    if (name === "rgs") await presign(name, ROUNDS);
    const writesBefore = await tableWrites(bench);
    const before = await snapshot(bench);
    const { rec, seconds } = await rounds(ROUNDS, WORKERS, fn);
    await new Promise((r) => setTimeout(r, 200));
    const after = await snapshot(bench);
    if (name === "rgs") {
      presigned.rgs!.signedInWindow = bench.signedInWindow();
      if (presigned.rgs!.signedInWindow > 0 && !SIGN_INLINE) log(`    WARNING: ${presigned.rgs!.signedInWindow} rounds were signed inside the measured phase`);
    }
    const calls = ROUNDS * callsPerRound;
    const cpu = spent(before, after);
    const perCall = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v / calls, 3)]));
    const { gamesInKernel: _inKernel, ...processes } = cpu;
    const total = round(Object.values(processes).reduce((s, v) => s + v, 0) / calls, 3);
    const sql = sqlDelta(before, after);
    const walBytesPerCall = round(Number(after.wal - before.wal) / calls, 0);
    // Per table written in the phase: rows inserted and updated per call, and the share of updates that were HOT.
    const writesAfter = await tableWrites(bench);
    const tables: Record<string, { insertedPerCall: number; updatedPerCall: number; hotShare: number }> = {};
    for (const [t, b] of Object.entries(writesAfter).sort(([x], [y]) => x.localeCompare(y))) {
      const a = writesBefore[t] ?? { inserted: 0, updated: 0, hotUpdated: 0 };
      const updated = b.updated - a.updated;
      if (b.inserted === a.inserted && updated === 0) continue;
      tables[t] = { insertedPerCall: round((b.inserted - a.inserted) / calls, 3), updatedPerCall: round(updated / calls, 3), hotShare: updated > 0 ? round((b.hotUpdated - a.hotUpdated) / updated, 3) : 0 };
    }
    const statements = Object.values(sql).reduce((s, v) => s + v, 0);
    phases[name] = {
      calls,
      seconds: round(seconds, 2),
      callsPerSecond: round(calls / seconds, 1),
      errors: rec.errorCount(),
      errorsByCode: Object.fromEntries(rec.errors),
      ...(name === "rgs" ? { presigned: presigned.rgs } : {}),
      cpuMsPerCall: { ...perCall, total },
      walBytesPerCall,
      tables,
      gamesStatementsPerCall: round(statements / calls, 3),
      gamesStatements: Object.fromEntries(Object.entries(sql).sort((x, y) => y[1] - x[1]).map(([k, v]) => [k, round(v / calls, 3)])),
    };
    log(`${name}: ${calls} calls in ${round(seconds, 1)} s (${round(calls / seconds, 1)}/s), errors ${rec.errorCount()}`);
    log(`    CPU ms per call: ${Object.entries(perCall).map(([k, v]) => `${k} ${v}`).join(", ")}; total ${total}`);
    log(`    WAL bytes per call (both databases): ${walBytesPerCall}`);
    for (const [t, w] of Object.entries(tables)) log(`    ${t}: ${w.insertedPerCall} inserted, ${w.updatedPerCall} updated per call; HOT share of updates ${w.hotShare}`);
    if (name === "rgs") {
      log(`    games statements per callback: ${round(statements / calls, 3)}`);
      for (const [label, n] of Object.entries(sql).sort((x, y) => y[1] - x[1])) log(`      ${round(n / calls, 3)}  ${label}`);
    }
  }

  const out = path.join(REPO_ROOT, "bench-results", "rgs-cost.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ benchmark: "rgs-cost", date: new Date().toISOString(), machine: { cores: os.cpus().length, node: process.version, postgres: bench.serverVersion, loadAverage: os.loadavg() }, rounds: ROUNDS, workers: WORKERS, signInline: SIGN_INLINE, presigned, phases }, null, 2) + "\n");
  log(`written to ${path.relative(REPO_ROOT, out)}`);
} finally {
  await bench.close();
}
