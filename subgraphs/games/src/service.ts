import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ComplianceClient } from "@casino/compliance-client";
import { serviceHistogram } from "@casino/kernel/http/metrics";
import type { ServiceModule } from "@casino/kernel/service";
import { WalletClient } from "@casino/wallet-client";
import { parse } from "graphql";
import { Catalogue } from "./catalogue/catalogue.ts";
import { createLobbyCache } from "./catalogue/lobby-cache.ts";
import { seedDemoCatalogue } from "./catalogue/seed.ts";
import { loadGamesConfig } from "./config.ts";
import type { GamesContext } from "./context.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { GameLauncher } from "./launch/launch.ts";
import { LaunchSessions } from "./launch/sessions.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { resolvers } from "./resolvers/index.ts";
import { loadRgsConfig, mountRgs } from "./rgs/index.ts";
import { RgsProviderConfigs } from "./rgs/provider-config.ts";
import { ADAPTERS } from "./rgs/registry.ts";
import { RoundService, type CompliancePort, type DrawRecorder, type WalletPort } from "./rounds/rounds.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

export interface GamesServiceOptions {
  /** Injectable clock (scenario tests); default the system clock. */
  now?: () => Date;
  /** One RNG per round (tests script the draws); default the CSPRNG, recorded. */
  rng?: () => DrawRecorder;
  /** Replace the HTTP clients of the wallet and compliance (tests of failures). */
  wallet?: WalletPort;
  compliance?: CompliancePort;
}

export function createGamesService(opts: GamesServiceOptions = {}): ServiceModule<PrismaClient, GamesContext> {
  const now = opts.now ?? (() => new Date());
  return {
    service: "games",
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    async setup(runtime) {
      const config = loadGamesConfig(runtime.env);
      const lobbyCache = createLobbyCache(runtime);
      runtime.onShutdown(() => lobbyCache.close());
      const catalogue = new Catalogue(runtime.prisma, runtime.publishOutbox, lobbyCache);
      // `npm start` (embedded, a database on disk) seeds the demo catalogue; tests' in-memory
      // databases and PostgreSQL only when GAMES_SEED_DEMO=true.
      if (config.seedDemo ?? (runtime.config.mode === "embedded" && runtime.config.dataDir !== "memory://")) {
        await seedDemoCatalogue(catalogue, runtime.prisma, runtime.log);
      }
      const secret = runtime.config.serviceTokenSecret;
      const walletClient = config.walletUrl ? new WalletClient({ baseUrl: config.walletUrl, serviceTokenSecret: secret, caller: "games", batch: config.walletBatch }) : undefined;
      if (walletClient) runtime.onShutdown(() => walletClient.close());
      const wallet = opts.wallet ?? walletClient;
      let compliance = opts.compliance;
      if (!compliance && config.complianceUrl) {
        const client = new ComplianceClient({ baseUrl: config.complianceUrl, serviceTokenSecret: secret, caller: "games" });
        runtime.onShutdown(() => client.close());
        compliance = client;
      }
      if (!wallet || !compliance) runtime.log.warn("WALLET_URL / COMPLIANCE_URL not set: game launches and rounds are refused (SERVICE_UNAVAILABLE)");

      const sessions = new LaunchSessions(runtime.prisma, now);
      // RGS callbacks (/rgs/<provider code>/...): the seamless-wallet protocols of remote providers.
      const rgs = walletClient && compliance ? mountRgs(runtime.http, { sql: runtime.db.sql, wallet: walletClient, compliance, now, log: runtime.log, env: runtime.env, ...loadRgsConfig(runtime.env) }) : undefined;
      // Staff's changes of a provider's RGS configuration; the callbacks of this process see them at once.
      const rgsConfigs = new RgsProviderConfigs(runtime.prisma, ADAPTERS, runtime.env, runtime.publishOutbox, (code) => rgs?.providers.forget(code));
      const launcher = new GameLauncher(runtime.prisma, sessions, compliance, config);
      const complianceWait = serviceHistogram(runtime.metrics, "games_round_compliance_wait_seconds", "Time a round waited for compliance's stake check after its own reads: what the check adds to a bet");
      const complianceCheck = serviceHistogram(runtime.metrics, "games_round_compliance_check_seconds", "Round trip of compliance's stake check as a round sees it");
      const rounds = new RoundService({
        prisma: runtime.prisma,
        sql: runtime.db.sql,
        wallet,
        compliance,
        publishOutbox: runtime.publishOutbox,
        log: runtime.log,
        now,
        rng: opts.rng,
        recoverAfterSeconds: config.recoverAfterSeconds,
        holdForComplianceMs: config.holdForComplianceMs,
        timing: {
          complianceWait: (seconds) => complianceWait.observe(seconds),
          complianceCheck: (seconds) => complianceCheck.observe(seconds),
        },
      });
      // Rounds a crash or an outage left open: resolved at start and then periodically.
      let sweeping = false;
      const sweep = async () => {
        if (sweeping || !wallet) return;
        sweeping = true;
        try {
          await rounds.recover();
        } catch (err) {
          runtime.log.error({ err }, "round recovery sweep failed");
        } finally {
          sweeping = false;
        }
      };
      const timer = setInterval(() => void sweep(), config.recoveryPollMs);
      timer.unref();
      void sweep();
      runtime.onShutdown(async () => clearInterval(timer));

      return {
        typeDefs,
        resolvers,
        policies,
        createContext: (base) => ({ ...base, prisma: runtime.prisma, catalogue, loaders: createLoaders(runtime.prisma), launcher, rounds, rgsConfigs, now }),
      };
    },
  };
}

export const gamesService = createGamesService();
