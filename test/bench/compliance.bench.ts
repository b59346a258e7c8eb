/**
 * npm run bench:compliance — what asking compliance "may this player stake / deposit this now?"
 * adds to a bet or a deposit, against PostgreSQL. Writes bench-results/compliance.json.
 *
 *   service   compliance (subgraphs/compliance/src/main.ts) forked alone, in a schema of its own
 *   seed      10,000 verified GB players, screened against GAMSTOP; each with a daily deposit limit and 20 deposits in the
 *             last month (the windows a deposit check sums)
 *   floor     GET /healthz on the same process at the same rate: what any HTTP call costs here
 *   stake     POST /internal/compliance/v1/checks/stake (slot, 1.00 GBP) on random players
 *   deposit   POST /internal/compliance/v1/checks/deposit (10.00 GBP) on random players
 * Each phase is an open loop at BENCH_RATE requests/s (default 1000) for BENCH_SECONDS (default 15),
 * latency measured from the scheduled start (no coordinated omission).
 *
 * Target (issue 4): the check adds less than 2 ms at p99 to a bet. Reported: the stake check's own
 * p99 (what the games service waits), and its p99 minus the floor's p99 (what compliance adds on top
 * of a bare HTTP round trip on this machine).
 *
 * With `wrk` on the PATH (Debian package wrk; installed by nothing here) the same three requests are
 * also measured by wrk, a load generator in C whose own CPU use barely disturbs the 2 shared cores:
 * closed loops of 1 connection (a bet waiting for its check, nothing queued) and 4 connections,
 * BENCH_SECONDS each. The target is judged on wrk's figures when present (the Node open loop's tail
 * is mostly its own timer lag and the cores it takes from the service).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { Agent, request } from "undici";
import { ServiceTokenSigner, generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import { generateSigningKeyPair } from "@casino/kernel/auth/tokens";
import { REPO_ROOT } from "@casino/kernel/supervisor";
import { RssSampler, findWrk, forkService, freePort, openLoop, round, runWrk, waitReady, type Recorder } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 10_000);
const log = (msg: string) => process.stdout.write(`bench:compliance ${msg}\n`);

const admin = new pg.Client({ connectionString: DATABASE_URL });
try {
  await admin.connect();
} catch (err) {
  process.stderr.write(`bench:compliance needs PostgreSQL (DATABASE_URL=${DATABASE_URL}): ${(err as Error).message}\n`);
  process.exit(2);
}

const schema = `bench_compliance_${process.pid}`;
const port = await freePort();
const secret = generateServiceTokenSecret();
const service = forkService(path.join(REPO_ROOT, "subgraphs/compliance/src/main.ts"), {
  PATH: process.env.PATH,
  LOG_LEVEL: "warn",
  DATABASE_URL,
  COMPLIANCE_DATABASE_SCHEMA: schema,
  COMPLIANCE_PORT: String(port),
  AUTH_JWT_PUBLIC_KEY: generateSigningKeyPair().publicKeyPem,
  SERVICE_TOKEN_SECRET: secret,
  DATA_DIR: path.join(REPO_ROOT, ".data", "bench"),
});
const base = `http://127.0.0.1:${port}`;
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

try {
  await waitReady(`${base}/readyz`, service.child, 60_000);
  const rss = new RssSampler(service.child.pid!);

  const { rows } = await admin.query<{ player_id: string }>(
    `INSERT INTO "${schema}".player_restrictions (player_id, jurisdiction, currency, date_of_birth, age_verified, identity_verified, gamstop_status, updated_at)
     SELECT gen_random_uuid(), 'GB', 'GBP', DATE '1988-06-01', true, true, 'CLEAR', now() FROM generate_series(1, $1) RETURNING player_id::text`,
    [PLAYERS],
  );
  const players = rows.map((r) => r.player_id);
  await admin.query(
    `INSERT INTO "${schema}".deposit_limit (player_id, period, currency, amount, updated_at)
     SELECT player_id, 'DAY', 'GBP', 100000, now() FROM "${schema}".player_restrictions`,
  );
  await admin.query(
    `INSERT INTO "${schema}".money_movement (transaction_id, player_id, direction, currency, amount, occurred_at)
     SELECT gen_random_uuid(), p.player_id, 'DEPOSIT', 'GBP', 2000, now() - (g * interval '36 hours')
       FROM "${schema}".player_restrictions p, generate_series(0, 19) g`,
  );
  await admin.query(`ANALYZE "${schema}".player_restrictions, "${schema}".deposit_limit, "${schema}".money_movement`);
  log(`seeded ${players.length} players with limits and ${players.length * 20} deposits`);

  const games = new ServiceTokenSigner(secret, "games", "compliance");
  const payments = new ServiceTokenSigner(secret, "payments", "compliance");
  const pick = () => players[Math.floor(Math.random() * players.length)]!;

  async function call(rec: Recorder, op: string, scheduledAt: number, method: "GET" | "POST", url: string, token?: string, body?: unknown) {
    const res = await request(url, {
      method,
      dispatcher: agent,
      headers: token ? { authorization: `Bearer ${token}`, "content-type": "application/json" } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    const ok = res.statusCode === 200 && (method === "GET" || (JSON.parse(text) as { allowed: boolean }).allowed);
    if (ok) rec.add(op, performance.now() - scheduledAt);
    else rec.fail(op, { code: String(res.statusCode) });
  }

  // Warm-up: connections, JIT, plan caches.
  const gamesToken = await games.token();
  const paymentsToken = await payments.token();
  await openLoop(RATE, 3, (rec, at) => call(rec, "warmup", at, "POST", `${base}/internal/compliance/v1/checks/stake`, gamesToken, { playerId: pick(), currency: "GBP", amount: "100", gameKind: "SLOT" }));

  const phases: Record<string, unknown> = {};
  for (const [name, run] of [
    ["floor", (rec: Recorder, at: number) => call(rec, "floor", at, "GET", `${base}/healthz`)],
    ["stake", (rec: Recorder, at: number) => call(rec, "stake", at, "POST", `${base}/internal/compliance/v1/checks/stake`, gamesToken, { playerId: pick(), currency: "GBP", amount: "100", gameKind: "SLOT" })],
    ["deposit", (rec: Recorder, at: number) => call(rec, "deposit", at, "POST", `${base}/internal/compliance/v1/checks/deposit`, paymentsToken, { playerId: pick(), currency: "GBP", amount: "1000" })],
  ] as const) {
    const result = await openLoop(RATE, SECONDS, run);
    phases[name] = { ratePerSecond: result.ratePerSecond, scheduled: result.scheduled, dropped: result.dropped, errors: result.rec.errorCount(), latency: result.rec.latency() };
    log(`${name}: ${JSON.stringify(phases[name])}`);
  }

  const p99 = (name: string) => ((phases[name] as { latency: Record<string, { p99: number }> }).latency[name]?.p99 ?? Number.NaN);

  /** Cumulative bucket counts of the service's histogram for the stake check route, by `le`. */
  async function stakeHistogram(): Promise<Map<string, number>> {
    const text = await (await fetch(`${base}/metrics`)).text();
    const counts = new Map<string, number>();
    for (const line of text.split("\n")) {
      if (!line.startsWith("http_request_duration_seconds_bucket{") || !/route="[^"]*\/checks\/stake"/.test(line) || !line.includes('status="200"')) continue;
      const le = /le="([^"]+)"/.exec(line)?.[1];
      if (le) counts.set(le, Number(line.slice(line.lastIndexOf(" ") + 1)));
    }
    return counts;
  }

  // wrk: closed loops from a C load generator, when installed.
  const wrkPhases: Record<string, unknown> = {};
  const wrkPath = findWrk();
  if (wrkPath) {
    const playersFile = path.join(REPO_ROOT, "bench-results", `compliance-players-${process.pid}.txt`);
    fs.mkdirSync(path.dirname(playersFile), { recursive: true });
    fs.writeFileSync(playersFile, `${players.join("\n")}\n`);
    try {
      for (const connections of [1, 4]) {
        for (const [name, script, url, token, body] of [
          ["floor", "compliance-floor.lua", `${base}/healthz`, "", ""],
          ["stake", "compliance-check.lua", `${base}/internal/compliance/v1/checks/stake`, gamesToken, "stake"],
          ["deposit", "compliance-check.lua", `${base}/internal/compliance/v1/checks/deposit`, paymentsToken, "deposit"],
        ] as const) {
          const before = name === "stake" ? await stakeHistogram() : undefined;
          wrkPhases[`${name}@${connections}`] = await runWrk(wrkPath, path.join(REPO_ROOT, "test/bench", script), url, connections, SECONDS, {
            BENCH_PLAYERS_FILE: playersFile,
            BENCH_TOKEN: token,
            BENCH_BODY: body,
          });
          if (before) {
            // The service's own time for these checks, from its Prometheus histogram (request in to response out).
            const after = await stakeHistogram();
            const total = (after.get("+Inf") ?? 0) - (before.get("+Inf") ?? 0);
            const share = (le: string) => round((100 * ((after.get(le) ?? 0) - (before.get(le) ?? 0))) / total, 3);
            wrkPhases[`stake@${connections}:server`] = { requests: total, percentUnder1ms: share("0.001"), percentUnder2ms: share("0.002"), percentUnder5ms: share("0.005") };
            log(`service-side stake checks at ${connections} connection(s): ${JSON.stringify(wrkPhases[`stake@${connections}:server`])}`);
          }
          log(`wrk ${name} at ${connections} connection(s): ${JSON.stringify(wrkPhases[`${name}@${connections}`])}`);
        }
      }
    } finally {
      fs.rmSync(playersFile, { force: true });
    }
  } else {
    log("wrk not on the PATH: only the Node open loop is measured (apt-get install wrk for the C load generator)");
  }
  const wrkP99 = (key: string) => (wrkPhases[key] as { p99: number } | undefined)?.p99;

  const summary = {
    stakeCheckP99Ms: round(p99("stake"), 3),
    depositCheckP99Ms: round(p99("deposit"), 3),
    httpFloorP99Ms: round(p99("floor"), 3),
    stakeCheckAddedP99Ms: round(p99("stake") - p99("floor"), 3),
    wrkStakeCheckP99Ms1Connection: wrkP99("stake@1"),
    wrkFloorP99Ms1Connection: wrkP99("floor@1"),
    wrkStakeCheckP99Ms4Connections: wrkP99("stake@4"),
    wrkDepositCheckP99Ms1Connection: wrkP99("deposit@1"),
    serviceStakeChecksUnder2msPercent1Connection: (wrkPhases["stake@1:server"] as { percentUnder2ms: number } | undefined)?.percentUnder2ms,
    serviceStakeChecksUnder2msPercent4Connections: (wrkPhases["stake@4:server"] as { percentUnder2ms: number } | undefined)?.percentUnder2ms,
    servicePeakRssMiB: rss.result().sampledPeakMiB,
  };
  // "Added to a bet": the service's own time (its histogram) and the client-side p99 over the bare
  // HTTP round trip's p99, both from wrk with one connection when wrk is there.
  const serverUnder2ms = summary.serviceStakeChecksUnder2msPercent1Connection;
  const addedP99 =
    summary.wrkStakeCheckP99Ms1Connection !== undefined && summary.wrkFloorP99Ms1Connection !== undefined
      ? round(summary.wrkStakeCheckP99Ms1Connection - summary.wrkFloorP99Ms1Connection, 3)
      : summary.stakeCheckAddedP99Ms;
  const output = {
    benchmark: "compliance",
    at: new Date().toISOString(),
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    config: { seconds: SECONDS, ratePerSecond: RATE, players: PLAYERS },
    phases,
    wrk: wrkPhases,
    summary,
    targets: {
      stakeCheckAddsUnder2msAtP99: {
        by: serverUnder2ms === undefined ? "node open loop (wrk absent)" : "wrk, 1 connection, and the service's histogram",
        serviceSidePercentUnder2ms: serverUnder2ms ?? null,
        addedP99Ms: addedP99,
        pass: (serverUnder2ms === undefined || serverUnder2ms >= 99) && addedP99 < 2,
      },
    },
  };
  fs.mkdirSync(path.join(REPO_ROOT, "bench-results"), { recursive: true });
  fs.writeFileSync(path.join(REPO_ROOT, "bench-results", "compliance.json"), `${JSON.stringify(output, null, 2)}\n`);
  log(`summary ${JSON.stringify(summary)} -> bench-results/compliance.json (run ${randomUUID().slice(0, 8)})`);
} finally {
  await service.stop();
  await agent.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await admin.end();
}
