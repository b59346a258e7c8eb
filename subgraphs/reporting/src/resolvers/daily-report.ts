import { toGraphQLMoney } from "@casino/kernel/money";
import type { DailyReportResolvers } from "../generated/graphql.ts";
import { grossGamingRevenue } from "../aggregate.ts";

export const DailyReport: DailyReportResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.dailyReportByKey.load({ date: ref.date, currency: ref.currency }),
  date: (report) => report.date.toISOString().slice(0, 10),
  deposits: (report) => toGraphQLMoney(report.depositsMinor, report.currency),
  withdrawals: (report) => toGraphQLMoney(report.withdrawalsMinor, report.currency),
  stakes: (report) => toGraphQLMoney(report.stakesMinor, report.currency),
  wins: (report) => toGraphQLMoney(report.winsMinor, report.currency),
  ggr: (report) => toGraphQLMoney(grossGamingRevenue(report), report.currency),
  manualAdjustments: (report) => toGraphQLMoney(report.manualAdjustmentsMinor, report.currency),
};
