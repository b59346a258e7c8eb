import type { ProviderResolvers } from "../generated/graphql.ts";
import { decodeCursor, pageSize } from "@casino/kernel/graphql/pagination";

export const Provider: ProviderResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.providerById.load(ref.id),
  games: (provider, { first, after }, ctx) =>
    ctx.loaders.lobbyGamesOfProvider.load({
      providerId: provider.id,
      take: pageSize(first),
      cursor: after ? decodeCursor(after) : undefined,
    }),
};
