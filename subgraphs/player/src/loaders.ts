import DataLoader from "dataloader";
import type { AuthSession, IdentityDocument, Player, PrismaClient } from "./generated/prisma/client.ts";
import { openSessionsOf } from "./sessions.ts";

export interface PlayerLoaders {
  playerById: DataLoader<string, Player | null>;
  identityDocumentsByPlayer: DataLoader<string, IdentityDocument[]>;
  openSessionsByPlayer: DataLoader<string, AuthSession[]>;
}

function groupBy<T>(ids: readonly string[], rows: T[], key: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(key(row))?.push(row);
  return ids.map((id) => groups.get(id)!);
}

/** One set per request, so every __resolveReference batch and every list child becomes a single query. */
export function createLoaders(prisma: PrismaClient, now: () => Date = () => new Date()): PlayerLoaders {
  return {
    playerById: new DataLoader(async (ids) => {
      const rows = await prisma.player.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    identityDocumentsByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.identityDocument.findMany({ where: { playerId: { in: [...ids] } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      return groupBy(ids, rows, (d) => d.playerId);
    }),
    openSessionsByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.authSession.findMany({ where: openSessionsOf(ids, now()), orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
      return groupBy(ids, rows, (s) => s.subjectId);
    }),
  };
}
