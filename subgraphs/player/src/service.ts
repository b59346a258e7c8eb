import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TokenIssuer } from "@casino/kernel/auth/tokens";
import { readEnv, z } from "@casino/kernel/config";
import type { ServiceModule } from "@casino/kernel/service";
import { parse } from "graphql";
import { AuthService } from "./auth-service.ts";
import type { PlayerContext } from "./context.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { resolvers } from "./resolvers/index.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

export const playerService: ServiceModule<PrismaClient, PlayerContext> = {
  service: "player",
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  async setup(runtime) {
    const env = readEnv({
      ADMIN_EMAIL: z.string().optional(),
      ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
      ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
    }, runtime.env);
    const issuer = await TokenIssuer.fromPem(runtime.config.jwtPrivateKey!, runtime.config.jwtIssuer, env.ACCESS_TOKEN_TTL_SECONDS);
    const auth = new AuthService(runtime.prisma, issuer, runtime.log, runtime.publishOutbox);
    if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD) await auth.seedAdmin(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
    else runtime.log.warn("ADMIN_EMAIL / ADMIN_PASSWORD not set: no admin seeded");
    return {
      typeDefs,
      resolvers,
      policies,
      createContext: (base) => ({ ...base, prisma: runtime.prisma, auth, loaders: createLoaders(runtime.prisma) }),
    };
  },
};
