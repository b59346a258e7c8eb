import DataLoader from "dataloader";
import { lobbyGamesOfProviders } from "./catalogue/lobby.ts";
import type { Game, GameRound, LaunchSession, PrismaClient, Provider } from "./generated/prisma/client.ts";
import { isUuid } from "@casino/kernel/ids";
import { toConnection, type Connection, type KeysetPosition } from "@casino/kernel/graphql/pagination";

export interface ProviderGamesPage {
  providerId: string;
  take: number;
  cursor: KeysetPosition | undefined;
}

export interface GamesLoaders {
  gameById: DataLoader<string, Game | null>;
  providerById: DataLoader<string, Provider | null>;
  lobbyGamesOfProvider: DataLoader<ProviderGamesPage, Connection<Game>, string>;
  sessionById: DataLoader<string, LaunchSession | null>;
  roundById: DataLoader<string, GameRound | null>;
}

/** Loads rows by id in one query; ids that are not UUIDs (a foreign representation) resolve to null. */
function byIdLoader<T extends { id: string }>(findMany: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader(async (ids) => {
    const valid = ids.filter(isUuid);
    const rows = valid.length > 0 ? await findMany(valid) : [];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** One set per request, so every __resolveReference and list child becomes one query per batch. */
export function createLoaders(prisma: PrismaClient): GamesLoaders {
  return {
    gameById: byIdLoader((ids) => prisma.game.findMany({ where: { id: { in: ids } } })),
    providerById: byIdLoader((ids) => prisma.provider.findMany({ where: { id: { in: ids } } })),
    sessionById: byIdLoader((ids) => prisma.launchSession.findMany({ where: { id: { in: ids } } })),
    roundById: byIdLoader((ids) => prisma.gameRound.findMany({ where: { id: { in: ids } } })),
    lobbyGamesOfProvider: new DataLoader(
      async (pages) => {
        // Pages asked with the same size and cursor share one windowed query.
        const groups = new Map<string, ProviderGamesPage[]>();
        for (const page of pages) {
          const key = pageShape(page);
          groups.set(key, [...(groups.get(key) ?? []), page]);
        }
        const results = new Map<string, Connection<Game>>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const { take, cursor } = group[0]!;
            const byProvider = await lobbyGamesOfProviders(prisma, group.map((p) => p.providerId), take, cursor);
            for (const page of group) results.set(pageKey(page), toConnection(byProvider.get(page.providerId) ?? [], take));
          }),
        );
        return pages.map((page) => results.get(pageKey(page))!);
      },
      { cacheKeyFn: pageKey },
    ),
  };
}

const pageShape = (page: ProviderGamesPage) => `${page.take}|${page.cursor?.createdAt.toISOString() ?? ""}|${page.cursor?.id ?? ""}`;
const pageKey = (page: ProviderGamesPage) => `${page.providerId}|${pageShape(page)}`;
