import type { ResponsibleGamblingResolvers } from "../generated/graphql.ts";

export const ResponsibleGambling: ResponsibleGamblingResolvers = {
  __resolveReference: async (ref, ctx) => ((await ctx.loaders.restrictionsByPlayer.load(ref.playerId)) ? { playerId: ref.playerId } : null),
  depositLimits: (view, _args, ctx) => ctx.rg.depositLimits(view.playerId),
  realityCheckIntervalMinutes: (view, _args, ctx) => ctx.realityChecks.intervalOf(view.playerId),
  exclusions: (view, _args, ctx) => ctx.prisma.exclusion.findMany({ where: { playerId: view.playerId }, orderBy: [{ startsAt: "desc" }, { id: "desc" }] }),
};
