import type { PlayerResolvers } from "../generated/graphql.ts";
import { decodeCursor, pageSize } from "@casino/kernel/graphql/pagination";

export const Player: PlayerResolvers = {
  payments: (player, { first, after }, ctx) =>
    ctx.loaders.paymentsOfPlayer.load({
      playerId: player.id,
      take: pageSize(first),
      cursor: after ? decodeCursor(after) : undefined,
    }),
};
