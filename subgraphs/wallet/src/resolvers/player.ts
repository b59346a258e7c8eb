import type { PlayerResolvers } from "../generated/graphql.ts";

export const Player: PlayerResolvers = {
  // The gateway supplies `currency` (@requires), so a wallet not yet opened still shows a zero balance.
  wallet: (player) => {
    const { currency } = player as { currency?: string };
    return { playerId: player.id, defaultCurrency: currency ?? null };
  },
};
