import { toGraphQLMoney } from "@casino/kernel/money";
import type { DepositLimitResolvers, ExclusionResolvers, AuditEntryResolvers } from "../generated/graphql.ts";

export const DepositLimit: DepositLimitResolvers = {
  amount: (limit) => (limit.amount === null ? null : toGraphQLMoney(limit.amount, limit.currency)),
  pendingAmount: (limit) => (limit.pendingAmount === null ? null : toGraphQLMoney(limit.pendingAmount, limit.currency)),
  confirmableAt: (limit) => limit.pendingConfirmableAt?.toISOString() ?? null,
};

export const Exclusion: ExclusionResolvers = {
  startsAt: (e) => e.startsAt.toISOString(),
  endsAt: (e) => e.endsAt.toISOString(),
};

export const AuditEntry: AuditEntryResolvers = {
  seq: (e) => e.seq.toString(),
  details: (e) => JSON.stringify(e.details),
  occurredAt: (e) => e.occurredAt.toISOString(),
};
