import { toGraphQLMoney } from "@casino/kernel/money";
import type { WalletTransactionResolvers } from "../generated/graphql.ts";

export const WalletTransaction: WalletTransactionResolvers = {
  __resolveReference: (ref, ctx) => ctx.prisma.ledgerTransaction.findUnique({ where: { id: ref.id } }),
  amount: (tx) => toGraphQLMoney(tx.amount, tx.currency),
  balanceAfter: (tx) => toGraphQLMoney(tx.balanceAfter, tx.currency),
  walletVersion: (tx) => Number(tx.walletVersion),
  // Stored with a namespace prefix ("adjust:") so that keys of different operations never collide.
  idempotencyKey: (tx) => tx.idempotencyKey.slice(tx.idempotencyKey.indexOf(":") + 1),
  reason: (tx) => {
    const reason = (tx.reference as Record<string, unknown> | null)?.reason;
    return typeof reason === "string" ? reason : null;
  },
  createdAt: (tx) => tx.createdAt.toISOString(),
};
