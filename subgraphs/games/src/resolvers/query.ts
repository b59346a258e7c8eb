import { lobbyCategories, lobbyWhere, listGames } from "../catalogue/lobby.ts";
import { isAdmin, type GamesContext } from "../context.ts";
import type { Game, Provider } from "../generated/prisma/client.ts";
import type { QueryResolvers } from "../generated/graphql.ts";
import { parseId } from "@casino/kernel/ids";
import { decodeCursor, pageSize, type Connection, type KeysetPosition } from "@casino/kernel/graphql/pagination";
import { adminOnly } from "../policies.ts";

/** A lobby page as cached: the games and their providers, so that a hit needs no query for `provider`. */
interface LobbyPage {
  connection: Connection<Game>;
  providers: Provider[];
}

export const cursorKey = (cursor: KeysetPosition | undefined) => (cursor ? `${cursor.createdAt.toISOString()}|${cursor.id}` : "");

/** Rows read from the cache are the same rows the loaders would give; this request needs no query for them. */
export function primeProviders(ctx: GamesContext, providers: readonly Provider[]): void {
  for (const provider of providers) ctx.loaders.providerById.prime(provider.id, provider);
}

async function readLobbyPage(ctx: GamesContext, where: ReturnType<typeof lobbyWhere>, take: number, cursor: KeysetPosition | undefined): Promise<LobbyPage> {
  const connection = await listGames(ctx.prisma, where, take, cursor);
  const providerIds = [...new Set(connection.edges.map((e) => e.node.providerId))];
  const providers = (await ctx.loaders.providerById.loadMany(providerIds)).filter((p): p is Provider => p !== null && !(p instanceof Error));
  return { connection, providers };
}

export const Query: QueryResolvers = {
  games: async (_parent, { first, after, filter }, ctx) => {
    const take = pageSize(first);
    const where = lobbyWhere(filter);
    const cursor = after ? decodeCursor(after) : undefined;
    if (filter?.includeDisabled) {
      // The backoffice catalogue: never from the public cache, never into it.
      await adminOnly(ctx, undefined, {});
      return listGames(ctx.prisma, where, take, cursor);
    }
    // The parsed filter is the key, so "JACKPOT" and "jackpot" share an entry and bad input never gets one.
    const key = `games|${take}|${cursorKey(cursor)}|${JSON.stringify(where)}`;
    const page = await ctx.catalogue.lobbyCache.remember(key, () => readLobbyPage(ctx, where, take, cursor));
    primeProviders(ctx, page.providers);
    return page.connection;
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
    if (includeDisabled) {
      await adminOnly(ctx, undefined, {});
      return ctx.prisma.provider.findMany({ orderBy: [{ name: "asc" }, { code: "asc" }] });
    }
    const providers = await ctx.catalogue.lobbyCache.remember("providers", () =>
      ctx.prisma.provider.findMany({ where: { enabled: true }, orderBy: [{ name: "asc" }, { code: "asc" }] }),
    );
    primeProviders(ctx, providers);
    return providers;
  },
  categories: (_parent, _args, ctx) => ctx.catalogue.lobbyCache.remember("categories", () => lobbyCategories(ctx.prisma)),
};
