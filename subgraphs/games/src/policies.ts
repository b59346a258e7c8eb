import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import type { GamesContext } from "./context.ts";

/** Sessions and rounds: their player, and staff who look into play (support, compliance). */
const viewers = allow.authenticated;
const ownPlayerArg = allow.ownerOrStaff((_parent, args) => args.playerId as string, "support", "compliance", "admin");

/** Catalogue management: admin staff only. */
export const adminOnly = allow.staff("admin");

/**
 * Every field of the games subgraph and who may resolve it (deny by default). The catalogue is
 * public; what is disabled is filtered by the resolvers, which know whether the caller is an admin.
 */
export const policies: Record<string, Policy<GamesContext>> = {
  "Query.games": allow.public,
  "Query.game": allow.public,
  "Query.providers": allow.public,
  "Query.categories": allow.public,
  "Mutation.upsertProvider": adminOnly,
  "Mutation.upsertGame": adminOnly,
  "Mutation.setGameEnabled": adminOnly,
  // RGS integrations: admin only down to every field, as they describe credentials.
  "Mutation.configureRgsProvider": adminOnly,
  "Query.rgsProviderConfig": adminOnly,
  "Query.rgsProviderConfigs": adminOnly,
  "RgsProviderConfig.*": adminOnly,
  "RgsCredentialField.*": adminOnly,
  // Play: players only; what a player may see of sessions and rounds (their own; any for staff) is
  // decided by the resolvers, which return null for anything else.
  "Mutation.launchGame": allow.player,
  "Mutation.spinSlot": allow.player,
  "Mutation.playRoulette": allow.player,
  "Mutation.endGameSession": allow.player,
  "Query.myGameSessions": allow.player,
  "Query.gameSession": viewers,
  "Query.gameRound": viewers,
  "Query.gameStateOfPlayer": ownPlayerArg,
  "Subscription.gameStateChanged": allow.player,
  "GameLaunch.*": allow.inherited,
  "GameSession.*": allow.inherited,
  "GameState.*": allow.inherited,
  "GameRound.*": allow.inherited,
  "GameStateUpdate.*": allow.inherited,
  "Provider.*": allow.public,
  "Game.*": allow.public,
  "GameConnection.*": allow.inherited,
  "GameEdge.*": allow.inherited,
  "PageInfo.*": allow.inherited,
  "Money.*": allow.inherited,
};
