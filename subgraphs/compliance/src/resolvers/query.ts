import { badInput, forbidden } from "@casino/kernel/errors";
import { Buffer } from "node:buffer";
import type { QueryResolvers } from "../generated/graphql.ts";
import { visibleCaseKinds } from "../cases.ts";
import type { ComplianceContext } from "../context.ts";
import { isUuid, loadAssessedView } from "../loaders.ts";

/** The caller's staff roles (the policies let only staff reach the case queries). */
const staffRoles = (ctx: ComplianceContext): readonly string[] => (ctx.principal.kind === "staff" ? ctx.principal.roles : []);

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
  responsibleGamblingOfPlayer: async (_parent, { playerId }, ctx) => {
    if (!isUuid(playerId)) throw badInput("playerId must be a UUID", "playerId");
    return (await ctx.loaders.restrictionsByPlayer.load(playerId)) ? { playerId } : null;
  },
  cases: (_parent, { filter, first, after }, ctx) => {
    const take = first ?? 20;
    if (take < 1 || take > 100) throw badInput("first must be between 1 and 100", "first");
    if (filter?.playerId && !isUuid(filter.playerId)) throw badInput("playerId must be a UUID", "filter.playerId");
    return ctx.cases.list({ ...filter, visibleKinds: visibleCaseKinds(staffRoles(ctx)) }, take, after);
  },
  case: async (_parent, { id }, ctx) => {
    if (!isUuid(id)) throw badInput("id must be a UUID", "id");
    const found = await ctx.prisma.complianceCase.findUnique({ where: { id } });
    const visible = visibleCaseKinds(staffRoles(ctx));
    // A case the caller may not see is answered like one that does not exist: its existence is the secret.
    return found && (visible === "all" || visible.includes(found.kind)) ? found : null;
  },
  suspiciousActivityReportDraft: async (_parent, { caseId }, ctx) => {
    if (!isUuid(caseId)) throw badInput("caseId must be a UUID", "caseId");
    if (ctx.principal.kind !== "staff") throw forbidden("Staff only");
    const draft = await ctx.cases.suspiciousActivityReportDraft(caseId, { kind: "staff", id: ctx.principal.staffId }, ctx.now());
    return { caseId, generatedAt: draft.generatedAt.toISOString(), json: JSON.stringify(draft.json, null, 2), text: draft.text };
  },
  auditLog: async (_parent, { playerId, first, after }, ctx) => {
    const take = first ?? 50;
    if (take < 1 || take > 100) throw badInput("first must be between 1 and 100", "first");
    if (playerId && !isUuid(playerId)) throw badInput("playerId must be a UUID", "playerId");
    let before: bigint | undefined;
    if (after) {
      const match = /^seq:(\d{1,19})$/.exec(Buffer.from(after, "base64url").toString());
      if (!match?.[1]) throw badInput("Invalid cursor", "after");
      before = BigInt(match[1]);
    }
    const rows = await ctx.prisma.auditLog.findMany({
      where: { ...(playerId ? { playerId } : {}), ...(before !== undefined ? { seq: { lt: before } } : {}) },
      orderBy: { seq: "desc" },
      take: take + 1,
    });
    const edges = rows.slice(0, take).map((node) => ({ cursor: Buffer.from(`seq:${node.seq}`).toString("base64url"), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
  },
};
