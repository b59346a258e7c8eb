/**
 * The setup bench:rgs and its cost measurement (rgs-cost.bench.ts) share: the wallet and the games
 * service with the RGS layer forked against PostgreSQL, each in a schema of its own, seeded with
 * funded players, one Hub88 provider with its game and credentials and one REAL launch session per
 * player; and the two round trips they time (a Hub88 bet + win, and STAKE + WIN straight to the
 * wallet's internal API).
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
import { forkService, freePort, redisAnswers, waitReady, type ForkedService, type Recorder } from "./wallet-support.ts";

export const STAKE_PENCE = 100n;
export const WIN_PENCE = 90n;
const UNITS = 1_000n; // Hub88 units per penny

export interface RgsBenchOptions {
  databaseUrl: string;
  redisUrl: string;
  players: number;
  log(msg: string): void;
  /** Node options of the forked games service (default: tsx). */
  gamesExecArgv?: string[];
  /** Extra environment of both services, and of each. */
  env?: NodeJS.ProcessEnv;
  walletEnv?: NodeJS.ProcessEnv;
  gamesEnv?: NodeJS.ProcessEnv;
}

export interface RgsBench {
  admin: pg.Client;
  serverVersion: string;
  useRedis: boolean;
  wallet: ForkedService;
  games: ForkedService;
  walletUrl: string;
  gamesUrl: string;
  walletSchema: string;
  gamesSchema: string;
  /** One round over Hub88: bet, then a win referencing it (two callbacks). */
  rgsRound(rec: Recorder, scheduledAt?: number): Promise<void>;
  /** The same money straight to the wallet: STAKE then WIN. */
  walletRound(rec: Recorder, scheduledAt?: number): Promise<void>;
  close(): Promise<void>;
}


/** Starts both services and seeds them; throws (with the services stopped) when PostgreSQL cannot be reached. */
export async function startRgsBench(opts: RgsBenchOptions): Promise<RgsBench> {
  const { log } = opts;
  const admin = new pg.Client({ connectionString: opts.databaseUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  const serverVersion = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;

  const pid = process.pid;
  const walletSchema = `bench_rgs_wallet_${pid}`;
  const gamesSchema = `bench_rgs_games_${pid}`;
  const redisPrefix = `bench:rgs:${pid}:${randomUUID().slice(0, 8)}:`;
  const useRedis = await redisAnswers(opts.redisUrl);
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
    DATABASE_URL: opts.databaseUrl,
    REDIS_KEY_PREFIX: redisPrefix,
    AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem,
    SERVICE_TOKEN_SECRET: serviceSecret,
    DATA_DIR: dataDir,
    APOLLO_TELEMETRY_DISABLED: "1",
    ...opts.env,
  };
  if (useRedis) baseEnv.REDIS_URL = opts.redisUrl;
  else delete baseEnv.REDIS_URL;
  for (const name of ["WALLET_DATABASE_URL", "GAMES_DATABASE_URL", "WALLET_REDIS_URL", "GAMES_REDIS_URL", "WALLET_FAILPOINT"]) delete baseEnv[name];

  const walletUrl = `http://127.0.0.1:${walletPort}`;
  const gamesUrl = `http://127.0.0.1:${gamesPort}`;
  const wallet = forkService(path.join(REPO_ROOT, "subgraphs/wallet/src/main.ts"), { ...baseEnv, WALLET_PORT: String(walletPort), WALLET_DATABASE_SCHEMA: walletSchema, ...opts.walletEnv }, ["--import", "tsx"], REPO_ROOT);
  const games = forkService(
    path.join(REPO_ROOT, "test/bench/rgs-games.ts"),
    // COMPLIANCE_URL is required in production by the games service's launches; the RGS path here uses an allow-all gate.
    { ...baseEnv, GAMES_PORT: String(gamesPort), GAMES_DATABASE_SCHEMA: gamesSchema, WALLET_URL: walletUrl, COMPLIANCE_URL: "http://127.0.0.1:9", BENCH_OPERATOR_KEY: operator.privateKey, ...opts.gamesEnv },
    opts.gamesExecArgv ?? ["--import", "tsx"],
    REPO_ROOT,
  );
  const transport = new Transport({ connections: 256, timeoutMs: 30_000 });
  const gamesClient = new WalletClient({ baseUrl: walletUrl, serviceTokenSecret: serviceSecret, caller: "games", connections: 128, attempts: 1, timeoutMs: 30_000 });
  const payments = new WalletClient({ baseUrl: walletUrl, serviceTokenSecret: serviceSecret, caller: "payments", connections: 64, attempts: 1, timeoutMs: 30_000 });

  const close = async () => {
    await Promise.allSettled([games.stop(), wallet.stop()]);
    await Promise.allSettled([transport.close(), gamesClient.close(), payments.close()]);
    for (const schema of [walletSchema, gamesSchema]) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch((err: unknown) => log(`could not drop ${schema}: ${(err as Error).message}`));
    await admin.end();
    if (useRedis) {
      const r = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
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
  };

  try {
    for (const [name, svc, url] of [["wallet", wallet, walletUrl], ["games", games, gamesUrl]] as const) {
      try {
        await waitReady(`${url}/readyz`, svc.child, 120_000);
      } catch (err) {
        throw new Error(`${name} did not start: ${(err as Error).message}\n${svc.lastLines().join("\n")}`, { cause: err });
      }
    }

    const players = Array.from({ length: opts.players }, () => randomUUID());
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
    log(`seeded ${opts.players} funded players with a launch session each`);

    const sim = new Hub88Simulator({ baseUrl: `${gamesUrl}/rgs/bench-hub88`, partnerPrivateKeyPem: partner.privateKeyPem, operatorPublicKeyPem: operator.publicKey, transport });
    const tag = `b${pid.toString(36)}${Date.now().toString(36)}`;
    let seq = 0;
    const randomPlayer = () => (Math.random() * opts.players) | 0;

    return {
      admin,
      serverVersion,
      useRedis,
      wallet,
      games,
      walletUrl,
      gamesUrl,
      walletSchema,
      gamesSchema,
      close,
      async rgsRound(rec, scheduledAt) {
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
      },
      async walletRound(rec, scheduledAt) {
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
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}
