import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import type { GamesContext } from "./context.ts";

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
  "Provider.*": allow.public,
  "Game.*": allow.public,
  "GameConnection.*": allow.inherited,
  "GameEdge.*": allow.inherited,
  "PageInfo.*": allow.inherited,
  "Money.*": allow.inherited,
};
