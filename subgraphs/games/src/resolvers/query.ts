import { lobbyCategories, lobbyWhere, listGames } from "../catalogue/lobby.ts";
import { isAdmin } from "../context.ts";
import type { QueryResolvers } from "../generated/graphql.ts";
import { parseId } from "@casino/kernel/ids";
import { decodeCursor, pageSize } from "@casino/kernel/graphql/pagination";
import { adminOnly } from "../policies.ts";

export const Query: QueryResolvers = {
  games: async (_parent, { first, after, filter }, ctx) => {
    if (filter?.includeDisabled) await adminOnly(ctx, undefined, {});
    const take = pageSize(first);
    const where = lobbyWhere(filter);
    return listGames(ctx.prisma, where, take, after ? decodeCursor(after) : undefined);
  },
  game: async (_parent, { id }, ctx) => {
    const game = await ctx.loaders.gameById.load(parseId(id, "id"));
    if (!game) return null;
    if (isAdmin(ctx)) return game;
    const provider = await ctx.loaders.providerById.load(game.providerId);
    // Outside the lobby a game does not exist for anyone but admins.
    return game.enabled && provider?.enabled ? game : null;
  },
  providers: async (_parent, { includeDisabled }, ctx) => {
    if (includeDisabled) await adminOnly(ctx, undefined, {});
    return ctx.prisma.provider.findMany({
      where: includeDisabled ? {} : { enabled: true },
      orderBy: [{ name: "asc" }, { code: "asc" }],
    });
  },
  categories: (_parent, _args, ctx) => lobbyCategories(ctx.prisma),
};
