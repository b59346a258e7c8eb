import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("GamesContext", {
  Game: "../generated/prisma/client.ts#Game as GameModel",
  Provider: "../generated/prisma/client.ts#Provider as ProviderModel",
});
