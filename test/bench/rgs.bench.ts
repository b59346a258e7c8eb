/**
 * npm run bench:rgs — RGS callbacks (Hub88 bet + win pairs, RSA-signed both ways) through the games
 * service into the wallet, against PostgreSQL, compared in the same run with the wallet's own internal
 * API (STAKE + WIN without the RGS layer). Writes bench-results/rgs.json.
 *
 *   services  the wallet (subgraphs/wallet/src/main.ts) and the games service with the RGS layer
 *             (test/bench/rgs-games.ts), forked, each in a schema of its own
 *   seed      BENCH_PLAYERS wallets (SQL) funded by DEPOSITs; one Hub88 provider with its game and
 *             credentials; one REAL launch session per player (SQL, token hash as launchGame stores it)
 *   (a) wallet direct   STAKE then WIN through the internal API, closed loop at 32 workers (max tx/s)
 *   (b) rgs closed      Hub88 /transaction/bet then /transaction/win, closed loop at 32 workers (max callbacks/s)
 *   (c) rgs open        fixed arrival rates (BENCH_RGS_RATES callbacks/s; a pair is two callbacks): the bet
 *                       is timed from its scheduled start (queueing counts), the win from when it is sent
 *   (d) wallet open     the direct path at 1,000 tx/s, the same way, for comparison
 * "Sustained" at a rate: at least 95 % of the target achieved, nothing dropped by the generator, no errors.
 * Target (issue 6): callback p99 < 30 ms at 1,000 callbacks/s.
 *
 * Environment: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), REDIS_URL (used
 * when it answers), BENCH_SECONDS (15), BENCH_PLAYERS (2000), BENCH_RGS_RATES ("100,200,300,500,1000").
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import pg from "pg";
import { Hub88Simulator, Transport } from "@casino/rgs-simulator";
import { generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import { generateSigningKeyPair } from "@casino/kernel/auth/tokens";
import { REPO_ROOT } from "@casino/kernel/supervisor";
import { genesisHash } from "@casino/wallet/ledger/rules";
import { WalletClient } from "@casino/wallet-client";
import { closedLoop, forkService, freePort, openLoop, round, waitReady, type Recorder } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 2_000);
const RATES = (process.env.BENCH_RGS_RATES ?? "100,200,300,500,1000").split(",").map(Number);
const TARGET_RATE = 1_000;
const TARGET_P99_MS = 30;
const STAKE_PENCE = 100n;
const WIN_PENCE = 90n;
const UNITS = 1_000n; // Hub88 units per penny

const log = (msg: string) => process.stdout.write(`[bench:rgs] ${msg}\n`);
const pid = process.pid;

const admin = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
try {
  await admin.connect();
} catch (err) {
  process.stderr.write(`bench:rgs needs PostgreSQL: could not connect to ${DATABASE_URL} (${(err as Error).message}).\n`);
  process.exit(2);
}
const serverVersion = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;

async function redisAnswers(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

const walletSchema = `bench_rgs_wallet_${pid}`;
const gamesSchema = `bench_rgs_games_${pid}`;
const redisPrefix = `bench:rgs:${pid}:${randomUUID().slice(0, 8)}:`;
const useRedis = await redisAnswers();
const [walletPort, gamesPort] = [await freePort(), await freePort()];
const serviceSecret = generateServiceTokenSecret();
const keys = generateSigningKeyPair();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-rgs-"));
const operator = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
const vectors = path.join(REPO_ROOT, "subgraphs/games/test/rgs/vectors/hub88");
const partner = { privateKeyPem: fs.readFileSync(path.join(vectors, "private.pem"), "utf8"), publicKeyPem: fs.readFileSync(path.join(vectors, "public.pem"), "utf8") };

const baseEnv: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  DATABASE_URL,
  REDIS_KEY_PREFIX: redisPrefix,
  AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem,
  SERVICE_TOKEN_SECRET: serviceSecret,
  DATA_DIR: dataDir,
  APOLLO_TELEMETRY_DISABLED: "1",
};
if (useRedis) baseEnv.REDIS_URL = REDIS_URL;
else delete baseEnv.REDIS_URL;
for (const name of ["WALLET_DATABASE_URL", "GAMES_DATABASE_URL", "WALLET_REDIS_URL", "GAMES_REDIS_URL", "WALLET_FAILPOINT"]) delete baseEnv[name];

const walletUrl = `http://127.0.0.1:${walletPort}`;
const gamesUrl = `http://127.0.0.1:${gamesPort}`;
const wallet = forkService(path.join(REPO_ROOT, "subgraphs/wallet/src/main.ts"), { ...baseEnv, WALLET_PORT: String(walletPort), WALLET_DATABASE_SCHEMA: walletSchema }, ["--import", "tsx"], REPO_ROOT);
const games = forkService(
  path.join(REPO_ROOT, "test/bench/rgs-games.ts"),
  // COMPLIANCE_URL is required in production by the games service's launches; the RGS path here uses an allow-all gate.
  { ...baseEnv, GAMES_PORT: String(gamesPort), GAMES_DATABASE_SCHEMA: gamesSchema, WALLET_URL: walletUrl, COMPLIANCE_URL: "http://127.0.0.1:9", BENCH_OPERATOR_KEY: operator.privateKey },
  ["--import", "tsx"],
  REPO_ROOT,
);
const transport = new Transport({ connections: 256, timeoutMs: 30_000 });
const gamesClient = new WalletClient({ baseUrl: walletUrl, serviceTokenSecret: serviceSecret, caller: "games", connections: 128, attempts: 1, timeoutMs: 30_000 });
const payments = new WalletClient({ baseUrl: walletUrl, serviceTokenSecret: serviceSecret, caller: "payments", connections: 64, attempts: 1, timeoutMs: 30_000 });

try {
  for (const [name, svc, url] of [["wallet", wallet, walletUrl], ["games", games, gamesUrl]] as const) {
    try {
      await waitReady(`${url}/readyz`, svc.child, 120_000);
    } catch (err) {
      throw new Error(`${name} did not start: ${(err as Error).message}\n${svc.lastLines().join("\n")}`, { cause: err });
    }
  }
  log(`PostgreSQL ${serverVersion}; ${os.cpus().length} cores; wallet ${walletUrl}, games ${gamesUrl}; events via ${useRedis ? "Redis" : "in-process bus"}; ${SECONDS} s per phase`);

  // -------------------------------------------------------------------------------------------
  // Seed

  const players = Array.from({ length: PLAYERS }, () => randomUUID());
  await admin.query(`INSERT INTO "${walletSchema}".wallet (player_id, default_currency, version, head_hash) SELECT p, 'GBP', 0, h FROM unnest($1::uuid[], $2::text[]) AS t(p, h)`, [
    players,
    players.map(genesisHash),
  ]);
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < players.length) {
        const playerId = players[next++]!;
        await payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: "100000000", idempotencyKey: `fund-${playerId}`, counterRef: "bench-psp" });
      }
    }),
  );
  const providerId = randomUUID();
  const gameId = randomUUID();
  await admin.query(`INSERT INTO "${gamesSchema}".provider (id, code, name, integration, protocol, enabled, updated_at) VALUES ($1, 'bench-hub88', 'Bench Hub88', 'AGGREGATOR', 'hub88', true, now())`, [providerId]);
  await admin.query(
    `INSERT INTO "${gamesSchema}".game (id, provider_id, code, name, type, rtp_basis_points, volatility, min_stake_minor, max_stake_minor, stake_currency, jurisdictions, categories, enabled, updated_at)
     VALUES ($1, $2, 'bench-slot', 'Bench Slot', 'SLOT', 9600, 'MEDIUM', 10, 500, 'GBP', '{GB}', '{slots}', true, now())`,
    [gameId, providerId],
  );
  await admin.query(`INSERT INTO "${gamesSchema}".rgs_provider_config (provider_id, credentials, allowed_currencies, allowed_game_codes) VALUES ($1, $2, '{GBP}', '{}')`, [
    providerId,
    JSON.stringify({ partnerPublicKey: partner.publicKeyPem, operatorPrivateKey: { env: "BENCH_OPERATOR_KEY" } }),
  ]);
  const tokens = players.map(() => randomBytes(32).toString("base64url"));
  await admin.query(
    `INSERT INTO "${gamesSchema}".launch_session (id, token_hash, player_id, game_id, provider_id, mode, currency, jurisdiction, minimum_game_cycle_ms, expires_at)
     SELECT gen_random_uuid(), h, p, $3, $4, 'REAL', 'GBP', 'GB', 0, now() + interval '1 day' FROM unnest($1::text[], $2::uuid[]) AS t(h, p)`,
    [tokens.map((t) => createHash("sha256").update(t, "utf8").digest("hex")), players, gameId, providerId],
  );
  log(`seeded ${PLAYERS} funded players with a launch session each`);

  // -------------------------------------------------------------------------------------------
  // Load

  const sim = new Hub88Simulator({ baseUrl: `${gamesUrl}/rgs/bench-hub88`, partnerPrivateKeyPem: partner.privateKeyPem, operatorPublicKeyPem: operator.publicKey, transport });
  const tag = `b${pid.toString(36)}${Date.now().toString(36)}`;
  let seq = 0;
  const randomPlayer = () => (Math.random() * PLAYERS) | 0;

  /** One round over Hub88: bet, then win referencing it. */
  async function rgsRound(rec: Recorder, scheduledAt?: number): Promise<void> {
    const i = randomPlayer();
    const n = seq++;
    const betId = `${tag}-bet-${n}`;
    const common = { user: players[i]!, token: tokens[i]!, game_code: "bench-slot", round: `${tag}-r-${n}`, currency: "GBP" };
    const start = performance.now();
    const bet = await sim.send("/transaction/bet", { ...common, request_uuid: randomUUID(), transaction_uuid: betId, amount: Number(STAKE_PENCE * UNITS) });
    const betDone = performance.now();
    if (bet.answer?.status !== "RS_OK") return rec.fail("bet", { code: bet.answer?.status ?? `http-${bet.delivery.status}` });
    rec.add("bet", betDone - (scheduledAt ?? start));
    rec.add("callback", betDone - (scheduledAt ?? start));
    const win = await sim.send("/transaction/win", { ...common, request_uuid: randomUUID(), transaction_uuid: `${tag}-win-${n}`, reference_transaction_uuid: betId, amount: Number(WIN_PENCE * UNITS) });
    const winDone = performance.now();
    if (win.answer?.status !== "RS_OK") return rec.fail("win", { code: win.answer?.status ?? `http-${win.delivery.status}` });
    rec.add("win", winDone - betDone);
    rec.add("callback", winDone - betDone);
  }

  /** The same money straight to the wallet: STAKE then WIN. */
  async function walletRound(rec: Recorder, scheduledAt?: number): Promise<void> {
    const playerId = players[randomPlayer()]!;
    const key = `${tag}-direct-${seq++}`;
    const start = performance.now();
    try {
      await gamesClient.post({ type: "STAKE", playerId, currency: "GBP", amount: STAKE_PENCE.toString(), idempotencyKey: `${key}-s`, counterRef: "bench-direct" });
      const staked = performance.now();
      rec.add("stake", staked - (scheduledAt ?? start));
      rec.add("call", staked - (scheduledAt ?? start));
      await gamesClient.post({ type: "WIN", playerId, currency: "GBP", amount: WIN_PENCE.toString(), idempotencyKey: `${key}-w`, refKey: `${key}-s`, counterRef: "bench-direct" });
      const won = performance.now();
      rec.add("win", won - staked);
      rec.add("call", won - staked);
    } catch (err) {
      rec.fail("direct", err);
    }
  }

  log("warm-up: 3 s of each path at 16 workers");
  await closedLoop(16, 3, (rec) => walletRound(rec));
  await closedLoop(16, 3, (rec) => rgsRound(rec));

  log(`(a) wallet direct, closed loop at 32 workers, ${SECONDS} s`);
  const direct = await closedLoop(32, SECONDS, (rec) => walletRound(rec));
  const directTps = round(direct.rec.count("call") / direct.durationSeconds, 1);
  log(`    ${directTps} wallet commands/s, p50/p99 ${direct.rec.latency().call?.p50}/${direct.rec.latency().call?.p99} ms, errors ${direct.rec.errorCount()}`);

  log(`(b) rgs, closed loop at 32 workers, ${SECONDS} s`);
  const closed = await closedLoop(32, SECONDS, (rec) => rgsRound(rec));
  const closedCps = round(closed.rec.count("callback") / closed.durationSeconds, 1);
  log(`    ${closedCps} callbacks/s, p50/p99 ${closed.rec.latency().callback?.p50}/${closed.rec.latency().callback?.p99} ms, errors ${closed.rec.errorCount()}`);

  const rates = [];
  for (const rate of RATES) {
    log(`(c) rgs open loop at ${rate} callbacks/s (${rate / 2} pairs/s), ${SECONDS} s`);
    const r = await openLoop(rate / 2, SECONDS, (rec, at) => rgsRound(rec, at));
    const lat = r.rec.latency();
    const achieved = round(r.rec.count("callback") / r.durationSeconds, 1);
    const sustained = achieved >= 0.95 * rate && r.dropped === 0 && r.rec.errorCount() === 0;
    rates.push({
      targetCallbacksPerSecond: rate,
      achievedCallbacksPerSecond: achieved,
      sustained,
      dropped: r.dropped,
      errors: r.rec.errorCount(),
      errorsByCode: Object.fromEntries(r.rec.errors),
      latencyMs: { callback: lat.callback, bet: lat.bet, win: lat.win },
    });
    log(`    achieved ${achieved}/s; callback p50/p99 ${lat.callback?.p50}/${lat.callback?.p99} ms (bet from schedule p99 ${lat.bet?.p99}, win p99 ${lat.win?.p99}); ${sustained ? "sustained" : "NOT sustained"}`);
  }

  log(`(d) wallet direct open loop at ${TARGET_RATE} commands/s`);
  const directOpen = await openLoop(TARGET_RATE / 2, SECONDS, (rec, at) => walletRound(rec, at));
  const directOpenLat = directOpen.rec.latency();
  log(`    achieved ${round(directOpen.rec.count("call") / directOpen.durationSeconds, 1)}/s; p50/p99 ${directOpenLat.call?.p50}/${directOpenLat.call?.p99} ms`);

  // -------------------------------------------------------------------------------------------
  // Results

  const atTarget = rates.find((r) => r.targetCallbacksPerSecond === TARGET_RATE);
  const maxSustained = rates.filter((r) => r.sustained).reduce((m, r) => Math.max(m, r.targetCallbacksPerSecond), 0);
  const p99AtTarget = atTarget?.latencyMs.callback?.p99 ?? Number.NaN;
  const result = {
    benchmark: "rgs",
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, node: process.version, postgres: serverVersion, events: useRedis ? "redis" : "memory" },
    secondsPerPhase: SECONDS,
    players: PLAYERS,
    protocol: "hub88 (RSA-SHA256 signed requests and responses)",
    compliance: "allow-all gate in the games process (compliance's check is measured by bench:compliance)",
    summary: {
      walletDirectCommandsPerSecond: directTps,
      rgsClosedLoopCallbacksPerSecond: closedCps,
      rgsToWalletDirectRatio: round(closedCps / directTps, 3),
      maxSustainedCallbacksPerSecond: maxSustained,
      callbackP50AtTargetMs: atTarget?.latencyMs.callback?.p50,
      callbackP99AtTargetMs: p99AtTarget,
      walletDirectP99AtTargetMs: directOpenLat.call?.p99,
    },
    targets: {
      callbackP99Under30msAt1000PerSecond: { target: `< ${TARGET_P99_MS} ms at ${TARGET_RATE}/s`, measured: p99AtTarget, sustained: atTarget?.sustained ?? false, pass: (atTarget?.sustained ?? false) && p99AtTarget < TARGET_P99_MS },
    },
    walletDirect: { closedLoop: { concurrency: 32, commandsPerSecond: directTps, errors: direct.rec.errorCount(), latencyMs: direct.rec.latency() }, openLoop: { target: TARGET_RATE, dropped: directOpen.dropped, errors: directOpen.rec.errorCount(), latencyMs: directOpenLat } },
    rgsClosedLoop: { concurrency: 32, callbacksPerSecond: closedCps, errors: closed.rec.errorCount(), errorsByCode: Object.fromEntries(closed.rec.errors), latencyMs: closed.rec.latency() },
    rgsOpenLoop: rates,
  };
  const out = path.join(REPO_ROOT, "bench-results", "rgs.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(
    [
      "",
      `rgs benchmark (${SECONDS} s per phase, ${os.cpus().length} cores shared by PostgreSQL, the wallet, games and the load generator)`,
      `  wallet direct (STAKE/WIN)   ${directTps} commands/s at 32 workers`,
      `  rgs Hub88 (bet/win)         ${closedCps} callbacks/s at 32 workers (${result.summary.rgsToWalletDirectRatio} of direct)`,
      ...rates.map((r) => `  at ${String(r.targetCallbacksPerSecond).padStart(5)}/s                  achieved ${r.achievedCallbacksPerSecond}/s, p50/p99 ${r.latencyMs.callback?.p50}/${r.latencyMs.callback?.p99} ms${r.sustained ? "" : " (not sustained)"}`),
      `  max sustained               ${maxSustained} callbacks/s`,
      `  p99 at ${TARGET_RATE}/s               ${p99AtTarget} ms  ${result.targets.callbackP99Under30msAt1000PerSecond.pass ? "PASS" : "FAIL"} (< ${TARGET_P99_MS} ms)`,
      `written to ${path.relative(REPO_ROOT, out)}`,
      "",
    ].join("\n"),
  );
} finally {
  await Promise.allSettled([games.stop(), wallet.stop()]);
  await Promise.allSettled([transport.close(), gamesClient.close(), payments.close()]);
  for (const schema of [walletSchema, gamesSchema]) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((err: unknown) => log(`could not drop ${schema}: ${(err as Error).message}`));
  await admin.end();
  if (useRedis) {
    const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      let cursor = "0";
      do {
        const [nextCursor, found] = await r.scan(cursor, "MATCH", `${redisPrefix}*`, "COUNT", 1000);
        cursor = nextCursor;
        if (found.length) await r.del(...found);
      } while (cursor !== "0");
    } finally {
      r.disconnect();
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
