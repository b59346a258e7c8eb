import { isoDate } from "../events.ts";
import type { PlayerResolvers } from "../generated/graphql.ts";
import { toSessionView } from "../sessions.ts";

export const Player: PlayerResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.playerById.load(ref.id),
  dateOfBirth: (player) => isoDate(player.dateOfBirth),
  address: (player) =>
    player.addressLine1 && player.city && player.postcode
      ? { line1: player.addressLine1, line2: player.addressLine2, city: player.city, postcode: player.postcode, country: player.country }
      : null,
  identityDocuments: (player, _args, ctx) => ctx.loaders.identityDocumentsByPlayer.load(player.id),
  sessions: async (player, _args, ctx) => {
    const current = ctx.principal.kind === "player" ? ctx.principal.sessionId : undefined;
    return (await ctx.loaders.openSessionsByPlayer.load(player.id)).map((s) => toSessionView(s, current));
  },
  createdAt: (player) => player.createdAt.toISOString(),
};
