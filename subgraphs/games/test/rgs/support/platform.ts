/**
 * The wallet and the games service with its RGS callbacks mounted, each on its own database (PGlite,
 * or a PostgreSQL schema when DATABASE_URL is set), plus one Hub88 and one SoftSwiss-style provider
 * configured in the games database, and helpers to open funded wallets and launch sessions.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServiceModule } from "@casino/kernel/service";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { walletService } from "@casino/wallet";
import type { PrismaClient as WalletPrisma } from "@casino/wallet/generated/prisma/client";
import { Ledger } from "@casino/wallet/ledger/ledger";
import { WalletClient } from "@casino/wallet-client";
import { Hub88Simulator } from "@casino/rgs-simulator";
import type { GamesContext } from "../../../src/context.ts";
import type { PrismaClient } from "../../../src/generated/prisma/client.ts";
import { mountRgs, type MountedRgs } from "../../../src/rgs/index.ts";
import { gamesService } from "../../../src/service.ts";
import { tokenHash } from "../../../src/launch/sessions.ts";
import { FakeCompliance } from "./fakes.ts";

const VECTORS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../vectors/hub88");

/** The aggregator's published test key pair signs requests (docs: never for a real provider). */
export const HUB88_PARTNER_KEYS = {
  privateKeyPem: fs.readFileSync(path.join(VECTORS, "private.pem"), "utf8"),
  publicKeyPem: fs.readFileSync(path.join(VECTORS, "public.pem"), "utf8"),
};

export interface Provider {
  id: string;
  code: string;
  gameCode: string;
  gameId: string;
}

export interface RgsPlatform {
  wallet: TestService<WalletPrisma>;
  games: TestService<PrismaClient>;
  rgs: MountedRgs;
  compliance: FakeCompliance;
  /** http://localhost:<games port>/rgs */
  rgsUrl: string;
  hub88: Provider;
  softswiss: Provider;
  operatorKeys: { privateKeyPem: string; publicKeyPem: string };
  softswissSecret: string;
  /** Opens a wallet and deposits into it; returns the player id. */
  fundedPlayer(minor?: bigint, currency?: string): Promise<string>;
  /** A launch session (REAL, of the provider's game, unexpired unless told) in the games database, as launchGame stores it; returns its token. */
  session(provider: Provider, playerId: string, overrides?: { expired?: boolean; mode?: "REAL" | "DEMO"; currency?: string; gameCode?: string }): Promise<string>;
  /** Ends a session early, as endGameSession does. */
  endSession(token: string): Promise<void>;
  /** Every row of rgs_transaction and rgs_attempt, as counts. */
  recordCounts(): Promise<{ transactions: number; attempts: number }>;
  walletTransactionCount(): Promise<number>;
  stop(): Promise<void>;
}

function withRgs(base: ServiceModule<PrismaClient, GamesContext>, attach: (rgs: MountedRgs) => void, deps: () => { wallet: WalletClient; compliance: FakeCompliance }) {
  const mod: ServiceModule<PrismaClient, GamesContext> = {
    ...base,
    async setup(runtime) {
      const definition = await base.setup(runtime);
      const { wallet, compliance } = deps();
      attach(mountRgs(runtime.http, { sql: runtime.db.sql, wallet, compliance, log: runtime.log, env: runtime.env, cacheMs: 0, leaseMs: 2_000, busyWaitMs: 5_000 }));
      return definition;
    },
  };
  return mod;
}

export async function startRgsPlatform(opts: { providerEnv?: Record<string, string> } = {}): Promise<RgsPlatform> {
  const wallet = await startTestService(walletService);
  const walletBase = wallet.url.replace(/\/graphql$/, "");
  const walletClient = new WalletClient({ baseUrl: walletBase, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "games", attempts: 2, timeoutMs: 5_000 });
  const payments = new WalletClient({ baseUrl: walletBase, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "payments", attempts: 1 });
  const compliance = new FakeCompliance();
  const operator = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const softswissSecret = randomBytes(32).toString("hex");

  let rgs: MountedRgs | undefined;
  const games = await startTestService(
    withRgs(gamesService, (m) => (rgs = m), () => ({ wallet: walletClient, compliance })),
    { OPERATOR_HUB88_KEY: operator.privateKey, SOFTSWISS_SECRET: softswissSecret, ...opts.providerEnv },
  );
  const sql = games.runtime.db.sql;

  async function provider(code: string, protocol: string, credentials: unknown, integration: string): Promise<Provider> {
    const id = randomUUID();
    const gameId = randomUUID();
    const gameCode = `${code}-slot`;
    await sql.query(`INSERT INTO provider (id, code, name, integration, protocol, enabled, updated_at) VALUES ($1::uuid, $2, $3, $4::"ProviderIntegration", $5, true, now())`, [
      id,
      code,
      `${code} studio`,
      integration,
      protocol,
    ]);
    for (const [gid, gcode, enabled] of [
      [gameId, gameCode, true],
      [randomUUID(), `${code}-retired`, false],
    ] as const) {
      await sql.query(
        `INSERT INTO game (id, provider_id, code, name, type, rtp_basis_points, volatility, min_stake_minor, max_stake_minor, stake_currency, jurisdictions, categories, enabled, updated_at)
         VALUES ($1::uuid, $2::uuid, $3, $3, 'SLOT', 9600, 'MEDIUM', 10, 500, 'GBP', '{GB}', '{slots}', $4, now())`,
        [gid, id, gcode, enabled],
      );
    }
    await sql.query(`INSERT INTO rgs_provider_config (provider_id, credentials, allowed_currencies, allowed_game_codes) VALUES ($1::uuid, $2::jsonb, '{GBP,EUR,JPY}', '{}')`, [
      id,
      JSON.stringify(credentials),
    ]);
    return { id, code, gameCode, gameId };
  }

  const hub88 = await provider("hub88", "hub88", { partnerPublicKey: HUB88_PARTNER_KEYS.publicKeyPem, operatorPrivateKey: { env: "OPERATOR_HUB88_KEY" } }, "AGGREGATOR");
  const softswiss = await provider("softswiss", "softswiss", { hmacSecret: { env: "SOFTSWISS_SECRET" } }, "DIRECT");
  const ledger = new Ledger(wallet.runtime.prisma, wallet.runtime.db.sql, () => undefined);

  return {
    wallet,
    games,
    rgs: rgs!,
    compliance,
    rgsUrl: games.url.replace(/\/graphql$/, "/rgs"),
    hub88,
    softswiss,
    operatorKeys: { privateKeyPem: operator.privateKey, publicKeyPem: operator.publicKey },
    softswissSecret,
    async fundedPlayer(minor = 100_000n, currency = "GBP") {
      const playerId = randomUUID();
      await wallet.runtime.prisma.$transaction((tx) => ledger.openWallet(tx, playerId, currency));
      if (minor > 0n) await payments.post({ type: "DEPOSIT", playerId, currency, amount: minor.toString(), idempotencyKey: `fund-${playerId}`, counterRef: "test-psp" });
      return playerId;
    },
    async session(p, playerId, overrides = {}) {
      const token = randomBytes(32).toString("base64url");
      const gameCode = overrides.gameCode ?? p.gameCode;
      const rows = await sql.query(
        `INSERT INTO launch_session (id, token_hash, player_id, game_id, provider_id, mode, currency, jurisdiction, minimum_game_cycle_ms, demo_balance_minor, created_at, expires_at)
         SELECT $1::uuid, $2, $3::uuid, g.id, $4::uuid, $5::"LaunchMode", $6, 'GB', 0, CASE WHEN $5 = 'DEMO' THEN 100000 END,
                now() - interval '2 hours', now() + make_interval(secs => $7::double precision)
           FROM game g WHERE g.provider_id = $4::uuid AND g.code = $8
         RETURNING id`,
        [randomUUID(), tokenHash(token), playerId, p.id, overrides.mode ?? "REAL", overrides.currency ?? "GBP", overrides.expired ? -60 : 3_600, gameCode],
      );
      if (rows.length !== 1) throw new Error(`no game ${gameCode} of ${p.code}`);
      return token;
    },
    async endSession(token) {
      const rows = await sql.query(`UPDATE launch_session SET ended_at = now() WHERE token_hash = $1 RETURNING id`, [tokenHash(token)]);
      if (rows.length !== 1) throw new Error("no such session");
    },
    async recordCounts() {
      const [t] = await sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM rgs_transaction`);
      const [a] = await sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM rgs_attempt`);
      return { transactions: Number(t!.n), attempts: Number(a!.n) };
    },
    walletTransactionCount: () => wallet.runtime.prisma.ledgerTransaction.count(),
    async stop() {
      await games.stop();
      await Promise.all([walletClient.close(), payments.close()]);
      await wallet.stop();
    },
  };
}

/** The platform with a Hub88 aggregator simulator signing as the seeded hub88 partner. */
export async function startHub88Platform(): Promise<{ p: RgsPlatform; sim: Hub88Simulator; stop(): Promise<void> }> {
  const p = await startRgsPlatform();
  const sim = new Hub88Simulator({ baseUrl: `${p.rgsUrl}/hub88`, partnerPrivateKeyPem: HUB88_PARTNER_KEYS.privateKeyPem, operatorPublicKeyPem: p.operatorKeys.publicKeyPem });
  return {
    p,
    sim,
    async stop() {
      await sim.close();
      await p.stop();
    },
  };
}
