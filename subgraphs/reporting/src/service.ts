import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { consumeOnce } from "@casino/kernel/events/outbox";
import type { DomainEvent } from "@casino/kernel/events/types";
import type { ServiceModule } from "@casino/kernel/service";
import { parse } from "graphql";
import type { ReportingContext } from "./context.ts";
import { MalformedEventError, parsePlayerRegistered, parseTransactionPosted } from "./event-payloads.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { projectRegistration, projectTransaction } from "./projection.ts";
import { resolvers } from "./resolvers/index.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

const CONSUMED_EVENTS = ["player.registered", "wallet.transaction_posted"] as const;

export const reportingService: ServiceModule<PrismaClient, ReportingContext> = {
  service: "reporting",
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  async setup(runtime) {
    const project = async (event: DomainEvent) => {
      const type = event.type as (typeof CONSUMED_EVENTS)[number];
      switch (type) {
        case "player.registered": {
          const registration = parsePlayerRegistered(event);
          await consumeOnce(runtime.prisma, "reporting", event, (tx) => projectRegistration(tx, registration));
          return;
        }
        case "wallet.transaction_posted": {
          const posted = parseTransactionPosted(event);
          await consumeOnce(runtime.prisma, "reporting", event, (tx) => projectTransaction(tx, posted));
          return;
        }
        default: {
          const unexpected: never = type;
          throw new Error(`reporting subscribed to no event of type ${JSON.stringify(unexpected)}`);
        }
      }
    };
    const subscription = await runtime.bus.subscribe("reporting", CONSUMED_EVENTS, async (event) => {
      try {
        await project(event);
      } catch (err) {
        // Redelivery cannot repair a payload: log it and go on. Anything else is thrown so the bus
        // delivers the event again (a database hiccup, or a transaction type newer than this code).
        if (!(err instanceof MalformedEventError)) throw err;
        runtime.log.error({ eventId: event.id, type: event.type, problems: err.problems }, "malformed event skipped");
      }
    });
    runtime.onShutdown(() => subscription.close());
    return {
      typeDefs,
      resolvers,
      policies,
      createContext: (base) => ({ ...base, prisma: runtime.prisma, loaders: createLoaders(runtime.prisma) }),
    };
  },
};
