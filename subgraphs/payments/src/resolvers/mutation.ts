import { parseId } from "@casino/kernel/ids";
import type { MutationResolvers } from "../generated/graphql.ts";

export const Mutation: MutationResolvers = {
  // The player comes from the verified token only: a player deposits for themself.
  startDeposit: (_parent, { input }, ctx) => {
    if (ctx.principal.kind !== "player") throw new Error("unreachable: Mutation.startDeposit is for players only");
    return ctx.deposits.start({ ...input, playerId: ctx.principal.playerId });
  },
  requestWithdrawal: (_parent, { input }, ctx) => {
    if (ctx.principal.kind !== "player") throw new Error("unreachable: Mutation.requestWithdrawal is for players only");
    return ctx.withdrawals.request({ ...input, playerId: ctx.principal.playerId });
  },
  approveWithdrawal: (_parent, { id }, ctx) => {
    if (ctx.principal.kind !== "staff") throw new Error("unreachable: Mutation.approveWithdrawal is for staff only");
    return ctx.withdrawals.approve(parseId(id, "id"), ctx.principal.staffId);
  },
  rejectWithdrawal: (_parent, { id, reason }, ctx) => {
    if (ctx.principal.kind !== "staff") throw new Error("unreachable: Mutation.rejectWithdrawal is for staff only");
    return ctx.withdrawals.reject(parseId(id, "id"), ctx.principal.staffId, reason);
  },
  importSettlementFile: (_parent, { psp, fileName, content }, ctx) => {
    if (ctx.principal.kind !== "staff") throw new Error("unreachable: Mutation.importSettlementFile is for staff only");
    return ctx.reconciliation.importFile({ psp, fileName, content, staffId: ctx.principal.staffId });
  },
  setPaymentRoutes: (_parent, { rules, expectedVersion }, ctx) => {
    if (ctx.principal.kind !== "staff") throw new Error("unreachable: Mutation.setPaymentRoutes is for staff only");
    return ctx.routes.replace(rules, ctx.principal.staffId, expectedVersion);
  },
  resolveReconciliationMismatch: (_parent, { id, resolution }, ctx) => {
    if (ctx.principal.kind !== "staff") throw new Error("unreachable: Mutation.resolveReconciliationMismatch is for staff only");
    return ctx.reconciliation.resolve(parseId(id, "id"), ctx.principal.staffId, resolution);
  },
};
