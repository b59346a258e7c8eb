import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { startGamstopFake } from "@casino/gamstop-fake";
import { ServiceTokenVerifier } from "@casino/kernel/auth/service-tokens";
import { ConfigError, readEnv, urlSchema, z } from "@casino/kernel/config";
import { consumeOnce } from "@casino/kernel/events/outbox";
import type { ServiceModule } from "@casino/kernel/service";
import { parse } from "graphql";
import { ComplianceCases } from "./case-service.ts";
import type { ComplianceContext } from "./context.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { ComplianceChecks } from "./checks.ts";
import { gamblingActivityOf, kycChangedSchema, moneyMovementOf, profileUpdatedSchema, reconciliationMismatchSchema, reconciliationMismatchResolvedSchema, transactionPostedSchema } from "./events.ts";
import { RealityChecks } from "./reality-check-service.ts";
import { GamstopClient } from "./gamstop/index.ts";
import { GamstopScreening, prescreenSchema, subjectOf } from "./gamstop-screening.ts";
import { mountComplianceApi } from "./internal-api.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { openRestrictions, playerRegisteredSchema } from "./registration.ts";
import { resolvers } from "./resolvers/index.ts";
import { recordRestrictionsChanged } from "./restrictions-changed.ts";
import { ResponsibleGambling } from "./responsible-gambling-service.ts";
import { RuleBook } from "./rulebook.ts";
import { assessedView } from "./views.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

export interface ComplianceServiceOptions {
  /** The clock every decision is taken at; rule versions switch on it. Tests pass their own. */
  now?: () => Date;
}

export function createComplianceService(options: ComplianceServiceOptions = {}): ServiceModule<PrismaClient, ComplianceContext> {
  const now = options.now ?? (() => new Date());
  return {
    service: "compliance",
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    async setup(runtime) {
      const rules = new RuleBook(runtime.prisma, runtime.log);
      await rules.start();
      runtime.onShutdown(async () => rules.stop());
      const rg = new ResponsibleGambling(runtime.prisma, rules, runtime.publishOutbox);
      const cases = new ComplianceCases(runtime.prisma, rules, runtime.publishOutbox);

      const gamstopEnv = readEnv(
        {
          GAMSTOP_API_URL: urlSchema(["http:", "https:"]).optional(),
          GAMSTOP_API_KEY: z.string().min(8, "must be at least 8 characters").optional(),
          GAMSTOP_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
          GAMSTOP_RETRY_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
          REALITY_CHECK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
          NODE_ENV: z.string().optional(),
        },
        runtime.env,
      );
      let gamstopUrl = gamstopEnv.GAMSTOP_API_URL;
      let gamstopKey = gamstopEnv.GAMSTOP_API_KEY;
      if (gamstopUrl && !gamstopKey) throw new ConfigError(["GAMSTOP_API_KEY=(unset): required when GAMSTOP_API_URL is set"]);
      if (!gamstopUrl) {
        if (gamstopEnv.NODE_ENV === "production") throw new ConfigError(["GAMSTOP_API_URL=(unset): required when NODE_ENV=production; the local GAMSTOP fake is for development"]);
        // Development: a local fake of GAMSTOP's API in this process, where nobody is excluded.
        gamstopKey = randomBytes(16).toString("hex");
        const fake = await startGamstopFake({ apiKey: gamstopKey, host: "127.0.0.1" });
        runtime.onShutdown(() => fake.stop());
        gamstopUrl = fake.url;
        runtime.log.info({ url: fake.url }, "GAMSTOP_API_URL unset: checking against the local GAMSTOP fake");
      }
      const gamstop = new GamstopScreening(
        new GamstopClient({ baseUrl: gamstopUrl, apiKey: gamstopKey!, timeoutMs: gamstopEnv.GAMSTOP_TIMEOUT_MS, logger: runtime.log }),
        runtime.prisma,
        rules,
        runtime.publishOutbox,
        runtime.log,
        now,
      );
      gamstop.startRetries(gamstopEnv.GAMSTOP_RETRY_SECONDS * 1000);
      const realityChecks = new RealityChecks(runtime.prisma, runtime.publishOutbox, runtime.log, now);
      realityChecks.start(gamstopEnv.REALITY_CHECK_POLL_MS);
      runtime.onShutdown(async () => realityChecks.stop());
      runtime.onShutdown(async () => gamstop.stop());
      /** After the registration or a profile change: screen the player when not screened yet, or when the details changed. */
      const screenAfter = async (playerId: string, payload: Record<string, unknown>, cause: string, always: boolean) => {
        const row = await runtime.prisma.playerRestrictions.findUnique({ where: { playerId }, select: { gamstopStatus: true } });
        if (!row || (!always && row.gamstopStatus !== "NOT_CHECKED")) return;
        const subject = subjectOf(payload);
        const prescreen = prescreenSchema.safeParse(payload.gamstop);
        if (prescreen.success && row.gamstopStatus === "NOT_CHECKED") await gamstop.recordPrescreen(playerId, subject, prescreen.data);
        else if (subject) await gamstop.checkPlayer(playerId, subject, cause);
      };

      const subscription = await runtime.bus.subscribe("compliance", ["player.registered", "player.profile_updated", "player.kyc_changed", "wallet.transaction_posted", "payments.reconciliation_mismatch", "payments.reconciliation_mismatch_resolved"], async (event) => {
        switch (event.type) {
          case "player.registered": {
            const parsed = playerRegisteredSchema.safeParse(event.payload);
            if (!parsed.success) {
              // Redelivery cannot repair a payload; the player stays at the restrictive default.
              runtime.log.error({ eventId: event.id, issues: parsed.error.issues }, "malformed player.registered; restrictions not opened");
              return;
            }
            const consumed = await consumeOnce(runtime.prisma, "compliance", event, (tx) => openRestrictions(tx, parsed.data, now()));
            if (consumed) runtime.publishOutbox();
            // Also on a redelivery: a screening the first delivery could not finish is done now.
            await screenAfter(parsed.data.playerId, event.payload as Record<string, unknown>, "REGISTRATION", false);
            return;
          }
          case "player.profile_updated": {
            const parsed = profileUpdatedSchema.safeParse(event.payload);
            if (!parsed.success) {
              runtime.log.error({ eventId: event.id, issues: parsed.error.issues }, "malformed player.profile_updated ignored");
              return;
            }
            // New details are screened again: a name or postcode change can reveal an exclusion.
            await screenAfter(parsed.data.playerId, event.payload as Record<string, unknown>, "PROFILE_UPDATED", true);
            return;
          }
          case "player.kyc_changed": {
            const parsed = kycChangedSchema.safeParse(event.payload);
            if (!parsed.success) {
              runtime.log.error({ eventId: event.id, issues: parsed.error.issues }, "malformed player.kyc_changed ignored");
              return;
            }
            const { playerId, ageVerified, identityVerified, kycStatus } = parsed.data;
            const consumed = await consumeOnce(runtime.prisma, "compliance", event, async (tx) => {
              const updated = await tx.playerRestrictions.updateMany({ where: { playerId }, data: { ageVerified, identityVerified } });
              // Registration not processed yet: thrown so the event is redelivered after it.
              if (updated.count === 0) throw new Error(`kyc_changed for ${playerId} before its registration; retried later`);
              const at = now();
              await tx.auditLog.create({ data: { actor: "system", action: "KYC_CHANGED", playerId, details: { kycStatus, ageVerified, identityVerified, eventId: event.id }, occurredAt: at } });
              const row = await tx.playerRestrictions.findUniqueOrThrow({ where: { playerId } });
              await recordRestrictionsChanged(tx, assessedView(row, rules.versionsOf(row.jurisdiction), at), "KYC_CHANGED", at);
            });
            if (consumed) runtime.publishOutbox();
            return;
          }
          case "wallet.transaction_posted": {
            const parsed = transactionPostedSchema.safeParse(event.payload);
            if (!parsed.success) {
              runtime.log.error({ eventId: event.id, issues: parsed.error.issues }, "malformed wallet.transaction_posted ignored");
              return;
            }
            const movement = moneyMovementOf(parsed.data);
            const activity = gamblingActivityOf(parsed.data, new Date(event.occurredAt));
            if (!movement && !activity) return;
            const { transactionId, playerId, currency } = parsed.data;
            // Every bet and win: one statement, not a Prisma transaction (see recordActivityEvent).
            if (!movement && activity) {
              await realityChecks.recordActivityEvent(runtime.db.sql, "compliance", event.id, playerId, activity);
              return;
            }
            let opened = 0;
            // Recording and monitoring in one transaction: a case exists exactly when its movement does.
            await consumeOnce(runtime.prisma, "compliance", event, async (tx) => {
              if (movement) {
                const recorded = { transactionId, currency, ...movement, occurredAt: new Date(event.occurredAt) };
                if (await rg.recordMoneyMovement(tx, { playerId, ...recorded })) opened = await cases.monitorMovement(tx, playerId, recorded, now());
              }
              if (activity) await realityChecks.recordActivity(tx, playerId, activity);
            });
            if (opened > 0) runtime.publishOutbox();
            return;
          }
          case "payments.reconciliation_mismatch": {
            const parsed = reconciliationMismatchSchema.safeParse(event.payload);
            if (!parsed.success) {
              runtime.log.error({ eventId: event.id, issues: parsed.error.issues }, "malformed payments.reconciliation_mismatch ignored");
              return;
            }
            // One case per mismatch, opened in the transaction that marks the event consumed.
            const consumed = await consumeOnce(runtime.prisma, "compliance", event, async (tx) => {
              await cases.openReconciliationCase(tx, parsed.data, new Date(event.occurredAt), now());
            });
            if (consumed) runtime.publishOutbox();
            return;
          }
          case "payments.reconciliation_mismatch_resolved": {
            const parsed = reconciliationMismatchResolvedSchema.safeParse(event.payload);
            if (!parsed.success) {
              runtime.log.error({ eventId: event.id, issues: parsed.error.issues }, "malformed payments.reconciliation_mismatch_resolved ignored");
              return;
            }
            const result: { outcome?: Awaited<ReturnType<typeof cases.recordReconciliationResolution>> } = {};
            const consumed = await consumeOnce(runtime.prisma, "compliance", event, async (tx) => {
              result.outcome = await cases.recordReconciliationResolution(tx, parsed.data, now());
              // The mismatch's own event has not been handled yet (it failed and waits for its retry):
              // throwing rolls this back and the bus delivers the resolution again later.
              if (result.outcome === "no_case") throw new Error(`no compliance case yet for reconciliation mismatch ${parsed.data.mismatchId}`);
            });
            if (consumed && result.outcome === "case_resolved") runtime.log.info({ eventId: event.id, mismatchId: parsed.data.mismatchId }, "finance resolved a mismatch whose case compliance had already resolved");
            return;
          }
          default:
            runtime.log.warn({ eventId: event.id, type: event.type }, "event type not consumed by compliance");
        }
      });
      runtime.onShutdown(() => subscription.close());
      mountComplianceApi(runtime.http.app, { checks: new ComplianceChecks(runtime.db.sql, rules), gamstop, verifier: new ServiceTokenVerifier(runtime.config.serviceTokenSecret, "compliance"), log: runtime.log, now }, runtime.http);
      return {
        typeDefs,
        resolvers,
        policies,
        createContext: (base) => ({ ...base, prisma: runtime.prisma, loaders: createLoaders(runtime.prisma), now, rg, realityChecks, rules, cases }),
      };
    },
  };
}

export const complianceService = createComplianceService();
