import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { consumeOnce } from "@casino/kernel/events/outbox";
import type { ServiceModule } from "@casino/kernel/service";
import { parse } from "graphql";
import type { ComplianceContext } from "./context.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { openRestrictions, playerRegisteredSchema } from "./registration.ts";
import { resolvers } from "./resolvers/index.ts";

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
      const subscription = await runtime.bus.subscribe("compliance", ["player.registered"], async (event) => {
        const parsed = playerRegisteredSchema.safeParse(event.payload);
        if (!parsed.success) {
          // Redelivery cannot repair a payload; the player stays at the restrictive default.
          runtime.log.error({ eventId: event.id, issues: parsed.error.issues }, "malformed player.registered; restrictions not opened");
          return;
        }
        const consumed = await consumeOnce(runtime.prisma, "compliance", event, (tx) => openRestrictions(tx, parsed.data, now()));
        if (consumed) runtime.publishOutbox();
      });
      runtime.onShutdown(() => subscription.close());
      return {
        typeDefs,
        resolvers,
        policies,
        createContext: (base) => ({ ...base, prisma: runtime.prisma, loaders: createLoaders(runtime.prisma), now }),
      };
    },
  };
}

export const complianceService = createComplianceService();
