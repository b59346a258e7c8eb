import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("ReportingContext", {
  DailyReport: "../generated/prisma/client.ts#DailyReport as DailyReportModel",
  PlayerActivity: "../generated/prisma/client.ts#PlayerActivity as PlayerActivityModel",
  PlayerTotals: "../generated/prisma/client.ts#PlayerTotals as PlayerTotalsModel",
});
