import { toGraphQLMoney } from "@casino/kernel/money";
import type { ReconciliationMismatchResolvers, ReconciliationRunResolvers } from "../generated/graphql.ts";

export const ReconciliationRun: ReconciliationRunResolvers = {
  periodStart: (run) => run.periodStart.toISOString(),
  periodEnd: (run) => run.periodEnd.toISOString(),
  lines: (run) => run.lineCount,
  matched: (run) => run.matchedCount,
  createdAt: (run) => run.createdAt.toISOString(),
  mismatches: (run, _args, ctx) => ctx.loaders.mismatchesOfRun.load(run.id),
};

export const ReconciliationMismatch: ReconciliationMismatchResolvers = {
  expected: (m) => (m.expectedMinor !== null && m.expectedCurrency !== null ? toGraphQLMoney(m.expectedMinor, m.expectedCurrency) : null),
  actual: (m) => (m.actualMinor !== null && m.actualCurrency !== null ? toGraphQLMoney(m.actualMinor, m.actualCurrency) : null),
  resolvedAt: (m) => m.resolvedAt?.toISOString() ?? null,
};
