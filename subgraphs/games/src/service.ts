import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServiceModule } from "@casino/kernel/service";
import { parse } from "graphql";
import { Catalogue } from "./catalogue/catalogue.ts";
import type { GamesContext } from "./context.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { resolvers } from "./resolvers/index.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

export const gamesService: ServiceModule<PrismaClient, GamesContext> = {
  service: "games",
  createPrisma: (adapter) => new PrismaClient({ adapter }),
  async setup(runtime) {
    const catalogue = new Catalogue(runtime.prisma, runtime.publishOutbox);
    return {
      typeDefs,
      resolvers,
      policies,
      createContext: (base) => ({ ...base, prisma: runtime.prisma, catalogue, loaders: createLoaders(runtime.prisma) }),
    };
  },
};
