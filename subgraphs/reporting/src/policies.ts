import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import type { ReportingContext } from "./context.ts";

// Entities are reachable through _entities as well as through the queries, so they check themselves.
const financialReports = allow.staff("finance", "compliance");
const playerActivity = allow.staff("support", "finance", "compliance");

/** Every field of the reporting subgraph and who may resolve it (deny by default). */
export const policies: Record<string, Policy<ReportingContext>> = {
  "Query.dailyReports": financialReports,
  "Query.playerActivity": playerActivity,
  "DailyReport.*": financialReports,
  "PlayerActivity.*": playerActivity,
  "PlayerTotals.*": allow.inherited,
  "Money.*": allow.inherited,
};
