import type { MutationResolvers } from "../generated/graphql.ts";

export const Mutation: MutationResolvers = {
  upsertProvider: (_parent, { input }, ctx) => ctx.catalogue.upsertProvider(input),
  upsertGame: (_parent, { input }, ctx) => ctx.catalogue.upsertGame(input),
  setGameEnabled: (_parent, { id, enabled }, ctx) => ctx.catalogue.setGameEnabled(id, enabled),
};
