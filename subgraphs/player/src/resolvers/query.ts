import { NEWEST_FIRST, decodeCursor, olderThan, pageSize, toConnection } from "@casino/kernel/graphql/pagination";
import type { QueryResolvers } from "../generated/graphql.ts";
import { toSessionView } from "../sessions.ts";
import { playerIdOf } from "./principal.ts";

/** LIKE wildcards typed by staff are literal characters, not patterns. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export const Query: QueryResolvers = {
  me: (_parent, _args, ctx) => (ctx.principal.kind === "player" ? ctx.loaders.playerById.load(ctx.principal.playerId) : null),
  player: (_parent, { id }, ctx) => ctx.loaders.playerById.load(id),
  players: async (_parent, { first, after, emailPrefix }, ctx) => {
    const take = pageSize(first);
    const rows = await ctx.prisma.player.findMany({
      where: {
        ...(emailPrefix ? { email: { startsWith: escapeLike(emailPrefix.trim().toLowerCase()) } } : {}),
        ...(after ? olderThan(decodeCursor(after)) : {}),
      },
      orderBy: NEWEST_FIRST,
      take: take + 1,
    });
    return toConnection(rows, take);
  },
  mySessions: async (_parent, _args, ctx) => {
    const sessions = await ctx.loaders.openSessionsByPlayer.load(playerIdOf(ctx));
    return sessions.map((s) => toSessionView(s, ctx.principal.kind === "player" ? ctx.principal.sessionId : undefined));
  },
  staffMe: (_parent, _args, ctx) =>
    ctx.principal.kind === "staff" ? ctx.prisma.staffUser.findUnique({ where: { id: ctx.principal.staffId } }) : null,
};
