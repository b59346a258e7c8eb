import type { ProviderResolvers } from "../generated/graphql.ts";
import { decodeCursor, pageSize } from "../pagination.ts";

export const Provider: ProviderResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.providerById.load(ref.id),
  games: (provider, { first, after }, ctx) =>
    ctx.loaders.lobbyGamesOfProvider.load({
      providerId: provider.id,
      take: pageSize(first),
      cursor: after ? decodeCursor(after) : undefined,
    }),
};
