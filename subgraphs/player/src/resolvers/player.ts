import type { PlayerResolvers } from "../generated/graphql.ts";

export const Player: PlayerResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.playerById.load(ref.id),
  dateOfBirth: (player) => player.dateOfBirth.toISOString().slice(0, 10),
  createdAt: (player) => player.createdAt.toISOString(),
};
