import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TokenIssuer } from "@casino/kernel/auth/tokens";
import { consumeOnce } from "@casino/kernel/events/outbox";
import type { ServiceModule, ServiceRuntime } from "@casino/kernel/service";
import { KycSimulator } from "@casino/kyc-simulator";
import { parse } from "graphql";
import { AccountService } from "./account-service.ts";
import { AuthService } from "./auth-service.ts";
import { loadPlayerConfig, type KycConfig } from "./config.ts";
import { ComplianceGamstopScreen } from "./gamstop-screen.ts";
import type { PlayerContext } from "./context.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { KycService, rekeyLegacyDocumentDigests } from "./kyc/kyc-service.ts";
import { HttpSimulatorProvider, InProcessSimulatorProvider, type KycProvider } from "./kyc/provider.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { ProfileService } from "./profile-service.ts";
import { resolvers } from "./resolvers/index.ts";
import { kycCallbackPath, mountKycCallback } from "./rest/kyc-callback.ts";
import { SessionRevocations } from "./session-revocations.ts";
import { SessionService } from "./sessions.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

/** The KYC provider adapter and the secret its callbacks are signed with. */
function kycProvider(runtime: ServiceRuntime<PrismaClient>, cfg: KycConfig): { provider: KycProvider; secret: string; simulator?: KycSimulator } {
  if (cfg.providerUrl) return { provider: new HttpSimulatorProvider(cfg.providerUrl), secret: cfg.callbackSecret! };
  // Embedded default: the simulator lives in this process and calls back over HTTP like a real provider.
  const secret = cfg.callbackSecret ?? randomBytes(32).toString("hex");
  const log = runtime.log.child({ component: "kyc-simulator" });
  const simulator = new KycSimulator({ secret, callbackDelayMs: cfg.simulatorDelayMs, log: (message, fields) => log.info(fields, message) });
  runtime.log.info({ delayMs: cfg.simulatorDelayMs }, "KYC_PROVIDER_URL not set: the KYC simulator runs in-process");
  return { provider: new InProcessSimulatorProvider(simulator), secret, simulator };
}

export const playerService: ServiceModule<PrismaClient, PlayerContext> = {
  service: "player",
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  async setup(runtime) {
    const cfg = loadPlayerConfig(runtime.env);
    const issuer = await TokenIssuer.fromPem(runtime.config.jwtPrivateKey!, runtime.config.jwtIssuer, cfg.accessTokenTtlSeconds);
    if (!cfg.complianceUrl) runtime.log.warn("COMPLIANCE_URL not set: registrations are not screened against GAMSTOP here (compliance still blocks play until it has screened the player)");
    const gamstop = cfg.complianceUrl ? new ComplianceGamstopScreen(cfg.complianceUrl, runtime.config.serviceTokenSecret, runtime.log) : undefined;
    const revocations = new SessionRevocations(runtime.prisma, runtime.revocations, cfg.accessTokenTtlSeconds, runtime.log);
    // Revocations made before this start (or before Redis lost them) reach the gateways again.
    runtime.onShutdown(await revocations.keepSeeded());
    const auth = new AuthService(runtime.prisma, issuer, revocations, runtime.log, runtime.publishOutbox, undefined, gamstop);
    if (cfg.adminEmail && cfg.adminPassword) await auth.seedAdmin(cfg.adminEmail, cfg.adminPassword);
    else runtime.log.warn("ADMIN_EMAIL / ADMIN_PASSWORD not set: no admin seeded");

    const profile = new ProfileService(runtime.prisma, runtime.log, runtime.publishOutbox);
    const accounts = new AccountService(runtime.prisma, revocations, runtime.log, runtime.publishOutbox);
    const sessions = new SessionService(runtime.prisma, revocations);
    const { provider, secret, simulator } = kycProvider(runtime, cfg.kyc);
    if (simulator) runtime.onShutdown(() => simulator.close());
    const callbackUrl = () => cfg.kyc.callbackUrl ?? `${runtime.http.url}${kycCallbackPath(provider.name)}`;
    if (!cfg.documentNumberKey) runtime.log.warn("DOCUMENT_NUMBER_KEY not set: identity-document digests use a key generated for this process only");
    const documentKey = cfg.documentNumberKey ?? randomBytes(32).toString("base64url");
    const kyc = new KycService(runtime.prisma, provider, callbackUrl, runtime.log, runtime.publishOutbox, documentKey);
    const rekeyed = await rekeyLegacyDocumentDigests(runtime.prisma, documentKey);
    if (rekeyed > 0) runtime.log.info({ rekeyed }, "identity-document digests recorded before DOCUMENT_NUMBER_KEY re-keyed");
    mountKycCallback(runtime.http.app, { kyc, provider: provider.name, secret, toleranceSeconds: cfg.kyc.callbackToleranceSeconds, log: runtime.log });

    const subscription = await runtime.bus.subscribe("player", ["compliance.restrictions_changed"], async (event) => {
      await consumeOnce(runtime.prisma, "player", event, (tx) => accounts.mirrorRestrictions(tx, event));
      runtime.publishOutbox();
    });
    runtime.onShutdown(() => subscription.close());

    return {
      typeDefs,
      resolvers,
      policies,
      createContext: (base) => ({
        ...base,
        prisma: runtime.prisma,
        auth,
        profile,
        kyc,
        accounts,
        sessions,
        loaders: createLoaders(runtime.prisma),
      }),
    };
  },
};
