/**
 * The setup bench:rgs and its cost measurement (rgs-cost.bench.ts) share: the wallet and the games
 * service with the RGS layer forked against PostgreSQL, each in a schema of its own, seeded with
 * funded players, one Hub88 provider with its game and credentials and one REAL launch session per
 * player; and the two round trips they time (a Hub88 bet + win, and STAKE + WIN straight to the
 * wallet's internal API).
 *
 * Hub88 requests are built and RSA-signed ahead of the timed phases (`presign`): a real aggregator
 * signs its callbacks on its own machines, not on the operator's, so the 2048-bit RSA signature of
 * every request (about as costly as the games service's own response signature) must not compete for
 * the same cores as the services measured. Each pre-built request is exactly what the simulator
 * would send (the same body, its own unique transaction, round and request ids, a valid
 * X-Hub88-Signature of its exact bytes); the games service still verifies every signature and signs
 * every answer, and each answer's signature is still verified here.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign as rsaSign, type KeyObject } from "node:crypto";
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
import { forkService, freePort, redisAnswers, round, waitReady, type ForkedService, type Recorder } from "./wallet-support.ts";

export const STAKE_PENCE = 100n;
export const WIN_PENCE = 90n;
const UNITS = 1_000n; // Hub88 units per penny

/** A Hub88 request built ahead of its phase: the exact body and its X-Hub88-Signature (none: the simulator signs it as it sends). */
interface SignedRequest {
  raw: string;
  signature?: string;
}
interface SignedRound {
  bet: SignedRequest;
  win: SignedRequest;
}

export interface RgsBenchOptions {
  databaseUrl: string;
  redisUrl: string;
  players: number;
  log(msg: string): void;
  /**
   * Sign every Hub88 request in line, inside the timed window, as before requests were pre-signed
   * (`presign` then builds nothing): for comparison with earlier figures.
   */
  signInline?: boolean;
  /** Node options of the forked games service (default: tsx). */
  gamesExecArgv?: string[];
  /** Extra environment of both services, and of each. */
  env?: NodeJS.ProcessEnv;
  walletEnv?: NodeJS.ProcessEnv;
  gamesEnv?: NodeJS.ProcessEnv;
}

/** What pre-signing a batch of rounds cost (before a timed phase, outside its window). */
export interface PresignResult {
  /** Rounds built and signed now (the pool may already have held some). */
  rounds: number;
  /** Signed requests (two per round: the bet and the win). */
  requests: number;
  /** Wall-clock time of the signing, and CPU of this process meanwhile (libuv's threads included). */
  ms: number;
  cpuMs: number;
  /** Rounds ready in the pool afterwards. */
  ready: number;
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
  /**
   * One round over Hub88: bet, then a win referencing it (two callbacks). Takes the next pre-signed
   * round of the pool; only when the pool is empty does it build and sign one itself (counted, see
   * `signedInWindow`).
   */
  rgsRound(rec: Recorder, scheduledAt?: number): Promise<void>;
  /** Builds and signs rounds until at least `rounds` are ready in the pool (call before a timed phase). */
  presign(rounds: number): Promise<PresignResult>;
  /** Rounds that rgsRound had to sign itself (the pool ran out) since the last call; resets the count. */
  signedInWindow(): number;
  /** The same money straight to the wallet: STAKE then WIN. */
  walletRound(rec: Recorder, scheduledAt?: number): Promise<void>;
  /**
   * ANALYZE of both services' schemas, after a warm-up has put rows in every table the callbacks
   * touch. The schemas are created empty for each run, and a prepared statement keeps the plan it
   * made for empty tables (sequential scans) until statistics exist, which autovacuum gives a
   * production database long before its tables are large; without this, a phase would measure
   * those plans growing slower with every row it writes.
   */
  analyze(): Promise<void>;
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
    const partnerKey = createPrivateKey(partner.privateKeyPem);
    const tag = `b${pid.toString(36)}${Date.now().toString(36)}`;
    let seq = 0;
    const randomPlayer = () => (Math.random() * opts.players) | 0;

    /** The bodies of one round, as rgsRound always sent them (same fields, same order, fresh ids). */
    const buildRound = (): { bet: string; win: string } => {
      const i = randomPlayer();
      const n = seq++;
      const betId = `${tag}-bet-${n}`;
      const common = { user: players[i]!, token: tokens[i]!, game_code: "bench-slot", round: `${tag}-r-${n}`, currency: "GBP" };
      return {
        bet: JSON.stringify({ ...common, request_uuid: randomUUID(), transaction_uuid: betId, amount: Number(STAKE_PENCE * UNITS) }),
        win: JSON.stringify({ ...common, request_uuid: randomUUID(), transaction_uuid: `${tag}-win-${n}`, reference_transaction_uuid: betId, amount: Number(WIN_PENCE * UNITS) }),
      };
    };
    // The simulator's signature (sim.sign), computed on libuv's threads so that both cores sign.
    const signAsync = (raw: string, key: KeyObject) =>
      new Promise<string>((resolve, reject) => rsaSign("sha256", Buffer.from(raw, "utf8"), key, (err, sig) => (err ? reject(err) : resolve(sig.toString("base64")))));
    const pool: SignedRound[] = [];
    let taken = 0;
    let inWindow = 0;
    let checked = false;

    const presign = async (rounds: number): Promise<PresignResult> => {
      pool.splice(0, taken);
      taken = 0;
      const missing = opts.signInline ? 0 : Math.max(0, rounds - pool.length);
      const started = performance.now();
      const cpu = process.cpuUsage();
      const batch = Array.from({ length: missing }, buildRound);
      const signed: SignedRound[] = new Array(missing);
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < missing) {
            const k = next++;
            const r = batch[k]!;
            const [bet, win] = await Promise.all([signAsync(r.bet, partnerKey), signAsync(r.win, partnerKey)]);
            signed[k] = { bet: { raw: r.bet, signature: bet }, win: { raw: r.win, signature: win } };
          }
        }),
      );
      if (!checked && missing > 0) {
        // The pre-signed header is byte for byte the simulator's own.
        if (sim.sign(signed[0]!.bet.raw) !== signed[0]!.bet.signature) throw new Error("a pre-signed request differs from the simulator's signature");
        checked = true;
      }
      for (const r of signed) pool.push(r);
      const used = process.cpuUsage(cpu);
      return { rounds: missing, requests: missing * 2, ms: round(performance.now() - started, 1), cpuMs: round((used.user + used.system) / 1000, 1), ready: pool.length };
    };

    /** The next round of the pool; when the pool is empty, one built now and signed as it is sent (counted). */
    const nextRound = (): SignedRound => {
      if (taken < pool.length) {
        const r = pool[taken]!;
        pool[taken++] = undefined as unknown as SignedRound; // consumed: let it be collected
        return r;
      }
      inWindow++;
      const r = buildRound();
      return { bet: { raw: r.bet }, win: { raw: r.win } };
    };
    /** Sends a request with its pre-computed signature, or lets the simulator sign it (in the timed span, as before). */
    const send = (endpoint: string, req: SignedRequest) => sim.send(endpoint, req.raw, req.signature === undefined ? {} : { signature: req.signature });

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
      presign,
      async analyze() {
        for (const schema of [walletSchema, gamesSchema]) {
          const tables = await admin.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = $1`, [schema]);
          await admin.query(`ANALYZE ${tables.rows.map((r) => `"${schema}"."${r.t}"`).join(", ")}`);
        }
      },
      signedInWindow() {
        const n = inWindow;
        inWindow = 0;
        return n;
      },
      async rgsRound(rec, scheduledAt) {
        const r = nextRound();
        const start = performance.now();
        const bet = await send("/transaction/bet", r.bet);
        const betDone = performance.now();
        if (bet.answer?.status !== "RS_OK") return rec.fail("bet", { code: bet.answer?.status ?? `http-${bet.delivery.status}` });
        if (!bet.signedByOperator) return rec.fail("bet", { code: "answer-not-signed" });
        rec.add("bet", betDone - (scheduledAt ?? start));
        rec.add("callback", betDone - (scheduledAt ?? start));
        const win = await send("/transaction/win", r.win);
        const winDone = performance.now();
        if (win.answer?.status !== "RS_OK") return rec.fail("win", { code: win.answer?.status ?? `http-${win.delivery.status}` });
        if (!win.signedByOperator) return rec.fail("win", { code: "answer-not-signed" });
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
