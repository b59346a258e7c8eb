import type { MutationResolvers } from "../generated/graphql.ts";

export const Mutation: MutationResolvers = {
  upsertProvider: async (_parent, { input }, ctx) => {
    const provider = await ctx.catalogue.upsertProvider(input);
    // Its protocol and enabled state decide whether RGS callbacks are served.
    ctx.rgsConfigs.providerChanged(provider.code);
    return provider;
  },
  upsertGame: (_parent, { input }, ctx) => ctx.catalogue.upsertGame(input),
  setGameEnabled: (_parent, { id, enabled }, ctx) => ctx.catalogue.setGameEnabled(id, enabled),
};
