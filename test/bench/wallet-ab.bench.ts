/**
 * A/B of wallet configurations on a noisy machine: two (or more) wallet processes, each with its own
 * environment and schema, started together and loaded in alternation (spread STAKE+WIN pairs over
 * 10,000 wallets, closed loop), with `pgbench -N` slices in between, for several rounds. Every
 * configuration meets the same background load, so the ratios of one round are comparable; the
 * report gives each round and the medians. Writes bench-results/wallet-ab.json.
 *
 *   node --import tsx test/bench/wallet-ab.bench.ts 'A=WALLET_POST_BATCH=1 WALLET_POST_CONNECTIONS=10' 'B='
 *
 * Environment: DATABASE_URL, BENCH_SECONDS (per slice, default 10), BENCH_ROUNDS (default 3),
 * BENCH_WALLETS (default 10000), BENCH_CONCURRENCY (workers, default 32), BENCH_READS=1 to add a
 * balance-read slice (closed loop, same workers) per configuration and round.
 */
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
import { closedLoop, connectionParams, findPgbench, forkService, freePort, parsePgbenchTps, round, run, waitReady, type Recorder } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 10_000);
const WORKERS = Number(process.env.BENCH_CONCURRENCY ?? 32);
const READS = process.env.BENCH_READS === "1";
const log = (msg: string) => process.stdout.write(`[bench:wallet-ab] ${msg}\n`);

const configs = process.argv.slice(2).map((arg) => {
  const eq = arg.indexOf("=");
  if (eq < 1) throw new Error(`expected NAME=VAR=value VAR=value..., got ${arg}`);
  const env = Object.fromEntries(
    arg
      .slice(eq + 1)
      .split(/\s+/)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  return { name: arg.slice(0, eq), env };
});
if (configs.length < 1) throw new Error("usage: wallet-ab.bench.ts NAME='VAR=value ...' NAME2='...'");
const pgbench = findPgbench();
if (!pgbench) throw new Error("pgbench not found");

const admin = new pg.Client({ connectionString: DATABASE_URL });
await admin.connect();
const pgdb = `bench_ab_${process.pid}`;
const c = connectionParams(DATABASE_URL);
const pgenv = { ...process.env, PGHOST: c.host, PGPORT: c.port, PGUSER: c.user, PGDATABASE: pgdb, ...(c.password ? { PGPASSWORD: c.password } : {}) };
await admin.query(`CREATE DATABASE ${pgdb}`);
const secret = generateServiceTokenSecret();
const keys = generateSigningKeyPair();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-wallet-ab-"));
const services: Array<{ name: string; schema: string; stop(): Promise<void>; client: WalletClient; ids: string[] }> = [];
const results: Record<string, { writes: number[]; reads: number[] }> = {};
const baseline: number[] = [];

try {
  const init = await run(pgbench, ["-i", "-s", "10", "-q", pgdb], pgenv);
  if (init.code !== 0) throw new Error(init.stderr);
  for (const cfg of configs) {
    const schema = `bench_ab_${process.pid}_${cfg.name.toLowerCase()}`;
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...cfg.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      WALLET_PORT: String(port),
      DATABASE_URL,
      WALLET_DATABASE_SCHEMA: schema,
      AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem,
      SERVICE_TOKEN_SECRET: secret,
      DATA_DIR: dataDir,
      REDIS_KEY_PREFIX: `bench:ab:${process.pid}:${cfg.name}:`,
      APOLLO_TELEMETRY_DISABLED: "1",
    };
    const svc = forkService(path.join(REPO_ROOT, "subgraphs/wallet/src/main.ts"), env, ["--import", "tsx"], REPO_ROOT);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitReady(`${baseUrl}/readyz`, svc.child, 90_000);
    const client = new WalletClient({ baseUrl, serviceTokenSecret: secret, caller: "games", connections: 128, attempts: 1, timeoutMs: 30_000 });
    const payments = new WalletClient({ baseUrl, serviceTokenSecret: secret, caller: "payments", connections: 32, attempts: 1, timeoutMs: 30_000 });
    const ids = Array.from({ length: WALLETS }, () => randomUUID());
    await admin.query(`INSERT INTO "${schema}".wallet (player_id, default_currency, version, head_hash) SELECT p, 'GBP', 0, h FROM unnest($1::uuid[], $2::text[]) AS t(p, h)`, [ids, ids.map(genesisHash)]);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < ids.length) {
          const playerId = ids[next++]!;
          await payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: "10000000", idempotencyKey: `fund-${playerId}`, counterRef: "bench-psp" });
        }
      }),
    );
    await payments.close();
    services.push({ name: cfg.name, schema, stop: () => svc.stop(), client, ids });
    results[cfg.name] = { writes: [], reads: [] };
    log(`${cfg.name} (${JSON.stringify(cfg.env)}) ready on ${baseUrl}, ${WALLETS} wallets funded`);
  }

  let seq = 0;
  const pair = async (s: (typeof services)[number], rec: Recorder) => {
    const playerId = s.ids[(Math.random() * s.ids.length) | 0]!;
    const key = `ab${process.pid}-${(seq++).toString(36)}`;
    try {
      await s.client.post({ type: "STAKE", playerId, currency: "GBP", amount: "100", idempotencyKey: `${key}-s`, counterRef: "bench-provider" });
      rec.add("tx", 0);
      await s.client.post({ type: "WIN", playerId, currency: "GBP", amount: "90", idempotencyKey: `${key}-w`, refKey: `${key}-s`, counterRef: "bench-provider" });
      rec.add("tx", 0);
    } catch (err) {
      rec.fail("tx", err);
    }
  };
  for (const s of services) await closedLoop(WORKERS, 3, (rec) => pair(s, rec)); // warm-up

  for (let r = 0; r < ROUNDS; r++) {
    const res = await run(pgbench, ["-N", "-c", "16", "-j", "2", "-T", String(SECONDS), pgdb], pgenv);
    const tps = parsePgbenchTps(res.stdout) ?? Number.NaN;
    baseline.push(round(tps, 1));
    const line = [`round ${r + 1}: pgbench -N ${round(tps, 1)} tps`];
    for (const s of r % 2 ? [...services].reverse() : services) {
      const w = await closedLoop(WORKERS, SECONDS, (rec) => pair(s, rec));
      const tx = round(w.rec.count("tx") / w.durationSeconds, 1);
      results[s.name]!.writes.push(tx);
      let readText = "";
      if (READS) {
        const rd = await closedLoop(WORKERS, SECONDS, async (rec) => {
          try {
            await s.client.balance(s.ids[(Math.random() * s.ids.length) | 0]!, "GBP");
            rec.add("read", 0);
          } catch (err) {
            rec.fail("read", err);
          }
        });
        const reads = round(rd.rec.count("read") / rd.durationSeconds, 1);
        results[s.name]!.reads.push(reads);
        readText = `, ${reads} reads/s`;
      }
      line.push(`${s.name} ${tx} tx/s (${round(tx / tps, 3)} of pgbench, errors ${w.rec.errorCount()})${readText}`);
    }
    log(line.join("; "));
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : Number.NaN;
  };
  const summary = Object.fromEntries(
    Object.entries(results).map(([name, v]) => [
      name,
      {
        writesPerSecond: v.writes,
        ratioToPgbench: v.writes.map((w, i) => round(w / baseline[i]!, 3)),
        medianRatio: round(median(v.writes.map((w, i) => w / baseline[i]!)), 3),
        readsPerSecond: v.reads,
      },
    ]),
  );
  log(`pgbench -N ${JSON.stringify(baseline)}; ${JSON.stringify(summary)}`);
  const out = path.join(REPO_ROOT, "bench-results", "wallet-ab.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ benchmark: "wallet-ab", date: new Date().toISOString(), seconds: SECONDS, workers: WORKERS, configs, pgbenchN: baseline, summary }, null, 2) + "\n");
} finally {
  for (const s of services) {
    await s.client.close().catch(() => undefined);
    await s.stop();
    await admin.query(`DROP SCHEMA IF EXISTS "${s.schema}" CASCADE`).catch(() => undefined);
  }
  await admin.query(`DROP DATABASE IF EXISTS ${pgdb}`).catch(() => undefined);
  await admin.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
