import DataLoader from "dataloader";
import type { DailyReport, PlayerActivity, PlayerTotals, PrismaClient } from "./generated/prisma/client.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Player ids are uuid columns: anything else cannot exist, and PostgreSQL would refuse to compare it. */
export const isUuid = (id: string) => UUID.test(id);

/** A daily report's key as its GraphQL @key carries it: date yyyy-mm-dd and currency. */
export interface DailyReportKey {
  date: string;
  currency: string;
}

export interface ReportingLoaders {
  dailyReportByKey: DataLoader<DailyReportKey, DailyReport | null, string>;
  activityByPlayer: DataLoader<string, PlayerActivity | null>;
  totalsByPlayer: DataLoader<string, PlayerTotals[]>;
}

const keyOf = (date: Date | string, currency: string) => `${typeof date === "string" ? date : date.toISOString().slice(0, 10)}|${currency}`;

/** One set per request, so every __resolveReference and list child batch becomes a single query. */
export function createLoaders(prisma: PrismaClient): ReportingLoaders {
  return {
    dailyReportByKey: new DataLoader(
      async (keys) => {
        const wellFormed = keys.filter((k) => /^\d{4}-\d{2}-\d{2}$/.test(k.date) && !Number.isNaN(Date.parse(k.date)));
        const rows = wellFormed.length
          ? await prisma.dailyReport.findMany({
              where: { OR: wellFormed.map((k) => ({ date: new Date(`${k.date}T00:00:00Z`), currency: k.currency })) },
            })
          : [];
        const byKey = new Map(rows.map((r) => [keyOf(r.date, r.currency), r]));
        return keys.map((k) => byKey.get(keyOf(k.date, k.currency)) ?? null);
      },
      { cacheKeyFn: (k) => keyOf(k.date, k.currency) },
    ),
    activityByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.playerActivity.findMany({ where: { playerId: { in: ids.filter(isUuid) } } });
      const byId = new Map(rows.map((r) => [r.playerId, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    totalsByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.playerTotals.findMany({
        where: { playerId: { in: ids.filter(isUuid) } },
        orderBy: [{ playerId: "asc" }, { currency: "asc" }],
      });
      return ids.map((id) => rows.filter((t) => t.playerId === id));
    }),
  };
}
