import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("GamesContext", {
  Game: "../generated/prisma/client.ts#Game as GameModel",
  Provider: "../generated/prisma/client.ts#Provider as ProviderModel",
  GameSession: "../generated/prisma/client.ts#LaunchSession as LaunchSessionModel",
  GameRound: "../generated/prisma/client.ts#GameRound as GameRoundModel",
  GameLaunch: "../launch/launch.ts#LaunchResult",
  GameState: "../rounds/views.ts#GameStateView",
  GameStateUpdate: "../rounds/views.ts#GameStateUpdateView",
  RgsProviderConfig: "../rgs/provider-config.ts#RgsProviderConfigView",
});
