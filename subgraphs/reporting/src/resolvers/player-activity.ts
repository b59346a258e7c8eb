import type { PlayerActivityResolvers } from "../generated/graphql.ts";

export const PlayerActivity: PlayerActivityResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.activityByPlayer.load(ref.playerId),
  registeredAt: (activity) => activity.registeredAt?.toISOString() ?? null,
  totals: (activity, _args, ctx) => ctx.loaders.totalsByPlayer.load(activity.playerId),
  lastActivityAt: (activity) => activity.lastActivityAt?.toISOString() ?? null,
};
