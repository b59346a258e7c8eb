import type { BaseContext } from "@casino/kernel/graphql/subgraph";
import type { Catalogue } from "./catalogue/catalogue.ts";
import type { GameLauncher } from "./launch/launch.ts";
import type { RoundService } from "./rounds/rounds.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { GamesLoaders } from "./loaders.ts";
import type { RgsProviderConfigs } from "./rgs/provider-config.ts";

export interface GamesContext extends BaseContext {
  prisma: PrismaClient;
  catalogue: Catalogue;
  loaders: GamesLoaders;
  launcher: GameLauncher;
  rounds: RoundService;
  rgsConfigs: RgsProviderConfigs;
  now: () => Date;
}

/** Admin staff manage the catalogue and are the only ones who see what is disabled. */
export function isAdmin(ctx: BaseContext): boolean {
  return ctx.principal.kind === "staff" && ctx.principal.roles.includes("admin");
}
