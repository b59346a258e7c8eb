import { parseMoney } from "@casino/kernel/money";
import type { MutationResolvers } from "../generated/graphql.ts";

const staffIdOf = (principal: { kind: string; staffId?: string }) => {
  if (principal.kind !== "staff" || !principal.staffId) throw new Error("policy admits staff only");
  return principal.staffId;
};

export const Mutation: MutationResolvers = {
  adjustBalance: (_parent, { playerId, amount, reason, idempotencyKey }, ctx) =>
    ctx.ledger.adjustBalance({ playerId, amount: parseMoney(amount.amount, amount.currency), reason, staffId: staffIdOf(ctx.principal), idempotencyKey }),
  grantBonus: (_parent, { playerId, amount, reason, idempotencyKey }, ctx) =>
    ctx.ledger.grantBonus({ playerId, amount: parseMoney(amount.amount, amount.currency), reason, staffId: staffIdOf(ctx.principal), idempotencyKey, forfeit: false }),
  forfeitBonus: (_parent, { playerId, amount, reason, idempotencyKey }, ctx) =>
    ctx.ledger.grantBonus({ playerId, amount: parseMoney(amount.amount, amount.currency), reason, staffId: staffIdOf(ctx.principal), idempotencyKey, forfeit: true }),
};
