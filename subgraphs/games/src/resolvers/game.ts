import { toGraphQLMoney } from "@casino/kernel/money";
import { formatRtp } from "../catalogue/rules.ts";
import type { GameResolvers } from "../generated/graphql.ts";

export const Game: GameResolvers = {
  // Other services reference games they recorded (rounds, bets); a game disabled since then still resolves.
  __resolveReference: (ref, ctx) => ctx.loaders.gameById.load(ref.id),
  provider: async (game, _args, ctx) => {
    const provider = await ctx.loaders.providerById.load(game.providerId);
    if (!provider) throw new Error(`game ${game.id} has no provider ${game.providerId}`);
    return provider;
  },
  rtp: (game) => formatRtp(game.rtpBasisPoints),
  minStake: (game) => toGraphQLMoney(game.minStakeMinor, game.stakeCurrency),
  maxStake: (game) => toGraphQLMoney(game.maxStakeMinor, game.stakeCurrency),
};
