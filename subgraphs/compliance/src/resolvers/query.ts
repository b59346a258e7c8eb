import { badInput } from "@casino/kernel/errors";
import type { QueryResolvers } from "../generated/graphql.ts";
import { isUuid, loadAssessedView } from "../loaders.ts";

export const Query: QueryResolvers = {
  restrictionsOfPlayer: (_parent, { playerId }, ctx) => {
    if (!isUuid(playerId)) throw badInput("playerId must be a UUID", "playerId");
    return loadAssessedView(ctx.loaders, playerId, ctx.now());
  },
  ruleSets: (_parent, { jurisdiction }, ctx) => {
    const code = jurisdiction?.trim().toUpperCase();
    if (code !== undefined && !/^[A-Z]{2}$/.test(code)) throw badInput("jurisdiction must be an ISO 3166-1 alpha-2 code", "jurisdiction");
    return ctx.prisma.ruleSet.findMany({
      where: code ? { jurisdiction: code } : {},
      orderBy: [{ jurisdiction: "asc" }, { version: "desc" }],
    });
  },
};
