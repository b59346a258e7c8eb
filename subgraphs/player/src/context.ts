import type { BaseContext } from "@casino/kernel/graphql/subgraph";
import type { AuthService } from "./auth-service.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { PlayerLoaders } from "./loaders.ts";

export interface PlayerContext extends BaseContext {
  prisma: PrismaClient;
  auth: AuthService;
  loaders: PlayerLoaders;
}
