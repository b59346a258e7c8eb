import DataLoader from "dataloader";
import type { Player, PrismaClient } from "./generated/prisma/client.ts";

export interface PlayerLoaders {
  playerById: DataLoader<string, Player | null>;
}

/** One set per request, so every __resolveReference batch becomes a single query. */
export function createLoaders(prisma: PrismaClient): PlayerLoaders {
  return {
    playerById: new DataLoader(async (ids) => {
      const rows = await prisma.player.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
