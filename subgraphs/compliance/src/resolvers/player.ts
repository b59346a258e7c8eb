import { badInput } from "@casino/kernel/errors";
import type { PlayerResolvers } from "../generated/graphql.ts";
import { loadAssessedView } from "../loaders.ts";
import { notYetAssessedView } from "../views.ts";

export const Player: PlayerResolvers = {
  // The gateway supplies `country` (@requires), so a player compliance has not seen yet still gets
  // an answer in their own jurisdiction: the restrictive default, never an error.
  restrictions: async (player, _args, ctx) => {
    const now = ctx.now();
    const assessed = await loadAssessedView(ctx.loaders, player.id, now);
    if (assessed) return assessed;
    const { country } = player as { country?: string };
    if (!country) throw badInput("Player.restrictions requires the player's country in the representation", "country");
    return notYetAssessedView(player.id, country, now);
  },
  responsibleGambling: async (player, _args, ctx) => ((await ctx.loaders.restrictionsByPlayer.load(player.id)) ? { playerId: player.id } : null),
};
