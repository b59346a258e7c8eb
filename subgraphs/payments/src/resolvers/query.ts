import type { Prisma } from "../generated/prisma/client.ts";
import type { PaymentFilter, QueryResolvers } from "../generated/graphql.ts";
import { parseId } from "@casino/kernel/ids";
import { decodeCursor, NEWEST_FIRST, olderThan, pageSize, toConnection } from "@casino/kernel/graphql/pagination";
import { canReadPayment } from "../policies.ts";

function paymentsWhere(filter: PaymentFilter | null | undefined): Prisma.PaymentWhereInput {
  return {
    ...(filter?.playerId ? { playerId: parseId(filter.playerId, "filter.playerId") } : {}),
    ...(filter?.direction ? { direction: filter.direction } : {}),
    ...(filter?.status ? { status: filter.status } : {}),
  };
}

export const Query: QueryResolvers = {
  paymentRoutes: (_parent, _args, ctx) => ctx.routes.view(),
  payment: async (_parent, { id }, ctx) => {
    const payment = await ctx.loaders.paymentById.load(parseId(id, "id"));
    if (payment) await canReadPayment(ctx, payment, {});
    return payment;
  },
  payments: async (_parent, { first, after, filter }, ctx) => {
    const take = pageSize(first);
    const where = paymentsWhere(filter);
    const rows = await ctx.prisma.payment.findMany({
      where: after ? { AND: [where, olderThan(decodeCursor(after))] } : where,
      orderBy: NEWEST_FIRST,
      take: take + 1,
    });
    return toConnection(rows, take);
  },
  reconciliationRuns: async (_parent, { first, after }, ctx) => {
    const take = pageSize(first);
    const rows = await ctx.prisma.reconciliationRun.findMany({
      where: after ? olderThan(decodeCursor(after)) : {},
      orderBy: NEWEST_FIRST,
      take: take + 1,
    });
    return toConnection(rows, take);
  },
  openReconciliationMismatches: (_parent, { first }, ctx) =>
    ctx.prisma.reconciliationMismatch.findMany({ where: { resolvedAt: null }, orderBy: [{ runId: "asc" }, { lineNumber: "asc" }, { id: "asc" }], take: pageSize(first) }),
  reconciliationRun: (_parent, { id }, ctx) => ctx.prisma.reconciliationRun.findUnique({ where: { id: parseId(id, "id") } }),
};
