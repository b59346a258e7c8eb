import { parseMoney } from "@casino/kernel/money";
import type { MutationResolvers } from "../generated/graphql.ts";

export const Mutation: MutationResolvers = {
  adjustBalance: (_parent, { playerId, amount, reason, idempotencyKey }, ctx) => {
    if (ctx.principal.kind !== "staff") throw new Error("policy admits staff only");
    return ctx.ledger.adjustBalance({
      playerId,
      amount: parseMoney(amount.amount, amount.currency),
      reason,
      staffId: ctx.principal.staffId,
      idempotencyKey,
    });
  },
};
