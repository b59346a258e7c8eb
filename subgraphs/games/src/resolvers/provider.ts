import type { ProviderResolvers } from "../generated/graphql.ts";
import { decodeCursor, pageSize } from "@casino/kernel/graphql/pagination";
import { cursorKey, primeProviders } from "./query.ts";

export const Provider: ProviderResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.providerById.load(ref.id),
  games: (provider, { first, after }, ctx) => {
    const page = { providerId: provider.id, take: pageSize(first), cursor: after ? decodeCursor(after) : undefined };
    // Each game's `provider` is this one.
    primeProviders(ctx, [provider]);
    // The lobby's games of a provider are public whoever lists the provider, so admins share the entry.
    // Misses of one request reach the loader together and become one windowed query.
    return ctx.catalogue.lobbyCache.remember(`provider-games|${page.providerId}|${page.take}|${cursorKey(page.cursor)}`, () =>
      ctx.loaders.lobbyGamesOfProvider.load(page),
    );
  },
};
