import { badInput } from "@casino/kernel/errors";
import { assertCurrency } from "@casino/kernel/money";
import type { QueryResolvers } from "../generated/graphql.ts";
import { isUuid } from "../loaders.ts";
import { parseReportRange } from "../report-range.ts";

export const Query: QueryResolvers = {
  dailyReports: (_parent, { from, to, currency }, ctx) => {
    const range = parseReportRange(from, to);
    return ctx.prisma.dailyReport.findMany({
      where: { date: { gte: range.from, lte: range.to }, ...(currency ? { currency: assertCurrency(currency) } : {}) },
      orderBy: [{ date: "asc" }, { currency: "asc" }],
    });
  },
  playerActivity: (_parent, { playerId }, ctx) => {
    if (!isUuid(playerId)) throw badInput("playerId must be a UUID", "playerId");
    return ctx.loaders.activityByPlayer.load(playerId);
  },
};
