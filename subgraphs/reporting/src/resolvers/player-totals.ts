import { toGraphQLMoney } from "@casino/kernel/money";
import type { PlayerTotalsResolvers } from "../generated/graphql.ts";

export const PlayerTotals: PlayerTotalsResolvers = {
  deposits: (totals) => toGraphQLMoney(totals.depositsMinor, totals.currency),
  withdrawals: (totals) => toGraphQLMoney(totals.withdrawalsMinor, totals.currency),
  stakes: (totals) => toGraphQLMoney(totals.stakesMinor, totals.currency),
  wins: (totals) => toGraphQLMoney(totals.winsMinor, totals.currency),
  manualAdjustments: (totals) => toGraphQLMoney(totals.manualAdjustmentsMinor, totals.currency),
};
