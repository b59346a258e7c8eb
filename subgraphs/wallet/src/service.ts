import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { consumeOnce } from "@casino/kernel/events/outbox";
import { isSupportedCurrency } from "@casino/kernel/money";
import { ServiceTokenVerifier } from "@casino/kernel/auth/service-tokens";
import { readEnv, z } from "@casino/kernel/config";
import type { ServiceModule } from "@casino/kernel/service";
import { parse } from "graphql";
import type { WalletContext } from "./context.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { mountInternalApi } from "./internal-api.ts";
import { Ledger } from "./ledger/ledger.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { resolvers } from "./resolvers/index.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

interface PlayerRegistered {
  playerId: string;
  currency: string;
}

export const walletService: ServiceModule<PrismaClient, WalletContext> = {
  service: "wallet",
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  async setup(runtime) {
    const { WALLET_FAILPOINT, NODE_ENV, WALLET_POST_CONNECTIONS, WALLET_POST_BATCH, WALLET_FAST_ROUTES } = readEnv(
      {
        WALLET_FAILPOINT: z.enum(["exit-after-commit"]).optional(),
        NODE_ENV: z.string().optional(),
        // Tuning of the write path's group commit (see src/ledger/post-queue.ts); the defaults suit most.
        WALLET_POST_CONNECTIONS: z.coerce.number().int().min(1).max(64).optional(),
        WALLET_POST_BATCH: z.coerce.number().int().min(1).max(500).optional(),
        // "0" serves the internal API through express only (for comparison; see mountInternalApi).
        WALLET_FAST_ROUTES: z.enum(["0", "1"]).optional(),
      },
      runtime.env,
    );
    const ledger = new Ledger(runtime.prisma, runtime.db.sql, runtime.publishOutbox, { maxInFlight: WALLET_POST_CONNECTIONS, maxBatch: WALLET_POST_BATCH });
    const subscription = await runtime.bus.subscribe("wallet", ["player.registered"], async (event) => {
      const { playerId, currency } = event.payload as PlayerRegistered;
      if (!isSupportedCurrency(currency)) {
        runtime.log.error({ eventId: event.id, currency }, "player.registered with an unsupported currency; wallet not opened");
        return;
      }
      await consumeOnce(runtime.prisma, "wallet", event, (tx) => ledger.openWallet(tx, playerId, currency));
    });
    runtime.onShutdown(() => subscription.close());

    if (WALLET_FAILPOINT && NODE_ENV === "production") throw new Error("WALLET_FAILPOINT is for tests and refused when NODE_ENV=production");
    mountInternalApi(runtime.http.app, {
      ledger,
      sql: runtime.db.sql,
      verifier: new ServiceTokenVerifier(runtime.config.serviceTokenSecret, "wallet"),
      log: runtime.log,
      exitAfterCommit: WALLET_FAILPOINT === "exit-after-commit",
    }, WALLET_FAST_ROUTES === "0" ? undefined : runtime.http);
    return {
      typeDefs,
      resolvers,
      policies,
      createContext: (base) => ({ ...base, prisma: runtime.prisma, ledger, loaders: createLoaders(runtime.db.sql) }),
    };
  },
};
