import type { MutationResolvers } from "../generated/graphql.ts";

export const Mutation: MutationResolvers = {
  // The player comes from the verified token only: a player deposits for themself.
  startDeposit: (_parent, { input }, ctx) => {
    if (ctx.principal.kind !== "player") throw new Error("unreachable: Mutation.startDeposit is for players only");
    return ctx.deposits.start({ ...input, playerId: ctx.principal.playerId });
  },
};
