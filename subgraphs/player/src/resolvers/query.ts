import { badInput } from "@casino/kernel/errors";
import type { QueryResolvers } from "../generated/graphql.ts";
import { decodeCursor, encodeCursor } from "../cursor.ts";

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => (ctx.principal.kind === "player" ? ctx.loaders.playerById.load(ctx.principal.playerId) : null),
  player: (_parent, { id }, ctx) => ctx.loaders.playerById.load(id),
  players: async (_parent, { first, after, emailPrefix }, ctx) => {
    const take = first ?? 20;
    if (take < 1 || take > 100) throw badInput("first must be between 1 and 100", "first");
    const cursor = after ? decodeCursor(after) : undefined;
    const rows = await ctx.prisma.player.findMany({
      where: {
        ...(emailPrefix ? { email: { startsWith: emailPrefix.trim().toLowerCase() } } : {}),
        ...(cursor
          ? { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
          : {}),
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: take + 1,
    });
    const page = rows.slice(0, take);
    const edges = page.map((node) => ({ cursor: encodeCursor(node.createdAt, node.id), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
  },
  staffMe: (_parent, _args, ctx) =>
    ctx.principal.kind === "staff" ? ctx.prisma.staffUser.findUnique({ where: { id: ctx.principal.staffId } }) : null,
};
