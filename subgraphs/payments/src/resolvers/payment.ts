import { toGraphQLMoney } from "@casino/kernel/money";
import type { PaymentResolvers } from "../generated/graphql.ts";

export const Payment: PaymentResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.paymentById.load(ref.id),
  // The player subgraph owns Player; the gateway resolves the rest of it from this reference.
  player: (payment) => ({ __typename: "Player", id: payment.playerId }),
  amount: (payment) => toGraphQLMoney(payment.amountMinor, payment.currency),
  creditedAt: (payment) => payment.creditedAt?.toISOString() ?? null,
  createdAt: (payment) => payment.createdAt.toISOString(),
  updatedAt: (payment) => payment.updatedAt.toISOString(),
};
