import { parseCountry } from "@casino/kernel/geo";
import type { GameFilter } from "../generated/graphql.ts";
import { Prisma, type Game, type PrismaClient } from "../generated/prisma/client.ts";
import { parseId } from "@casino/kernel/ids";
import { NEWEST_FIRST, olderThan, toConnection, type Connection, type KeysetPosition } from "@casino/kernel/graphql/pagination";
import { parseCategory, parseSearch } from "./rules.ts";

/** What the lobby shows: enabled games of enabled providers. */
export const IN_LOBBY = { enabled: true, provider: { enabled: true } } satisfies Prisma.GameWhereInput;

/** Prisma passes `contains` into ILIKE as is: without this, "%" and "_" in a search would be wildcards. */
function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Turns the lobby filter into a Prisma `where`, checking every value (bad input names its field). */
export function lobbyWhere(filter: GameFilter | null | undefined): Prisma.GameWhereInput {
  const search = parseSearch(filter?.search);
  return {
    ...(filter?.includeDisabled ? {} : IN_LOBBY),
    ...(filter?.type ? { type: filter.type } : {}),
    ...(filter?.providerId ? { providerId: parseId(filter.providerId, "filter.providerId") } : {}),
    ...(filter?.category ? { categories: { has: parseCategory(filter.category, "filter.category") } } : {}),
    ...(filter?.jurisdiction ? { jurisdictions: { has: parseCountry(filter.jurisdiction, "filter.jurisdiction") } } : {}),
    ...(search ? { name: { contains: escapeLikePattern(search), mode: "insensitive" as const } } : {}),
  };
}

export async function listGames(
  prisma: PrismaClient,
  where: Prisma.GameWhereInput,
  take: number,
  cursor: KeysetPosition | undefined,
): Promise<Connection<Game>> {
  const rows = await prisma.game.findMany({
    where: cursor ? { AND: [where, olderThan(cursor)] } : where,
    orderBy: NEWEST_FIRST,
    take: take + 1,
  });
  return toConnection(rows, take);
}

/**
 * The first `take + 1` lobby games of each provider after `cursor`, in one query for all of them
 * (a window per provider), so `providers { games }` costs two queries however many providers there are.
 */
export async function lobbyGamesOfProviders(
  prisma: PrismaClient,
  providerIds: readonly string[],
  take: number,
  cursor: KeysetPosition | undefined,
): Promise<Map<string, Game[]>> {
  const ranked = await prisma.$queryRaw<Array<{ id: string; provider_id: string }>>`
    SELECT id::text AS id, provider_id::text AS provider_id
      FROM (SELECT g.id, g.provider_id,
                   ROW_NUMBER() OVER (PARTITION BY g.provider_id ORDER BY g.created_at DESC, g.id DESC) AS position
              FROM game g
              JOIN provider p ON p.id = g.provider_id
             WHERE g.provider_id IN (${Prisma.join(providerIds.map((id) => Prisma.sql`${id}::uuid`))})
               AND g.enabled AND p.enabled
               ${cursor ? Prisma.sql`AND (g.created_at, g.id) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)` : Prisma.empty}
           ) AS ranked
     WHERE position <= ${take + 1}
     ORDER BY provider_id, position`;
  const games = await prisma.game.findMany({ where: { id: { in: ranked.map((r) => r.id) } } });
  const byId = new Map(games.map((g) => [g.id, g]));
  const byProvider = new Map<string, Game[]>(providerIds.map((id) => [id, []]));
  for (const { id, provider_id } of ranked) {
    const game = byId.get(id);
    if (game) byProvider.get(provider_id)?.push(game);
  }
  return byProvider;
}

/** Categories of the games in the lobby, each once, sorted. */
export async function lobbyCategories(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ category: string }>>`
    SELECT DISTINCT unnest(g.categories) AS category
      FROM game g
      JOIN provider p ON p.id = g.provider_id
     WHERE g.enabled AND p.enabled
     ORDER BY category`;
  return rows.map((r) => r.category);
}
