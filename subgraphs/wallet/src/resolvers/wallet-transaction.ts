import { toGraphQLMoney } from "@casino/kernel/money";
import type { WalletTransactionResolvers } from "../generated/graphql.ts";

export const WalletTransaction: WalletTransactionResolvers = {
  __resolveReference: (ref, ctx) => ctx.prisma.ledgerTransaction.findUnique({ where: { id: ref.id } }),
  amount: (tx) => toGraphQLMoney(tx.amount, tx.currency),
  balanceAfter: (tx) => toGraphQLMoney(tx.balanceAfter, tx.currency),
  bonusAmount: (tx) => toGraphQLMoney(tx.bonusAmount, tx.currency),
  bonusBalanceAfter: (tx) => toGraphQLMoney(tx.bonusBalanceAfter, tx.currency),
  reservedAmount: (tx) => toGraphQLMoney(tx.reservedAmount, tx.currency),
  walletVersion: (tx) => Number(tx.walletVersion),
  // Staff keys are stored with a namespace prefix ("adjust:", "bonus:") so that they never collide
  // with the keys services send; the prefix is not part of what the caller sent.
  idempotencyKey: (tx) => tx.idempotencyKey.replace(/^(adjust|bonus):/, ""),
  reason: (tx) => {
    const reason = (tx.reference as Record<string, unknown> | null)?.reason;
    return typeof reason === "string" ? reason : null;
  },
  createdAt: (tx) => tx.createdAt.toISOString(),
};
