import { forbidden } from "@casino/kernel/errors";
import { parseMoney } from "@casino/kernel/money";
import type { ComplianceContext } from "../context.ts";
import type { MutationResolvers } from "../generated/graphql.ts";
import { isUuid } from "../loaders.ts";
import type { Actor } from "../responsible-gambling-service.ts";
import { loadRuleSet } from "../rule-set-loader.ts";
import { badInput } from "@casino/kernel/errors";

/** The signed-in player acting on their own account (the policy admits players only). */
function self(ctx: ComplianceContext): { playerId: string; actor: Actor } {
  if (ctx.principal.kind !== "player") throw forbidden("Players only");
  return { playerId: ctx.principal.playerId, actor: { kind: "player", id: ctx.principal.playerId } };
}

/** The signed-in staff member acting on `id` (a player or a case: both are UUIDs). */
function staff(ctx: ComplianceContext, id: string, field = "playerId"): Actor {
  if (ctx.principal.kind !== "staff") throw forbidden("Staff only");
  if (!isUuid(id)) throw badInput(`${field} must be a UUID`, field);
  return { kind: "staff", id: ctx.principal.staffId };
}

export const Mutation: MutationResolvers = {
  setDepositLimit: (_parent, { period, amount }, ctx) => {
    const { playerId, actor } = self(ctx);
    return ctx.rg.setDepositLimit(playerId, period, amount ? parseMoney(amount.amount, amount.currency) : null, actor, ctx.now());
  },
  confirmDepositLimitIncrease: (_parent, { period }, ctx) => {
    const { playerId, actor } = self(ctx);
    return ctx.rg.confirmDepositLimit(playerId, period, actor, ctx.now());
  },
  setRealityCheckInterval: async (_parent, { minutes }, ctx) => {
    const { playerId, actor } = self(ctx);
    await ctx.realityChecks.choose(playerId, minutes ?? null, actor);
    return { playerId };
  },
  takeTimeOut: (_parent, { days }, ctx) => {
    const { playerId, actor } = self(ctx);
    return ctx.rg.takeTimeOut(playerId, days, actor, ctx.now());
  },
  selfExclude: (_parent, { months }, ctx) => {
    const { playerId, actor } = self(ctx);
    return ctx.rg.selfExclude(playerId, months, actor, ctx.now());
  },
  selfExcludePlayer: (_parent, { playerId, months, reason }, ctx) => {
    const actor = staff(ctx, playerId);
    if (reason.trim().length < 3) throw badInput("reason must be at least 3 characters", "reason");
    return ctx.rg.selfExclude(playerId, months, actor, ctx.now());
  },
  loadRuleSet: (_parent, args, ctx) => {
    if (ctx.principal.kind !== "staff") throw forbidden("Staff only");
    return loadRuleSet(ctx.prisma, ctx.rules, args, { kind: "staff", id: ctx.principal.staffId }, ctx.now());
  },
  setPlayerBlocked: (_parent, { playerId, blocked, reason }, ctx) => ctx.rg.setBlocked(playerId, blocked, reason, staff(ctx, playerId), ctx.now()),
  openCase: (_parent, { playerId, kind, reason }, ctx) => ctx.cases.openCase(playerId, kind, reason, staff(ctx, playerId), ctx.now()),
  assignCase: (_parent, { caseId, assigneeId }, ctx) => ctx.cases.assignCase(caseId, assigneeId, staff(ctx, caseId, "caseId"), ctx.now()),
  addCaseNote: (_parent, { caseId, kind, body, reference }, ctx) => ctx.cases.addNote(caseId, kind, body, reference ?? null, staff(ctx, caseId, "caseId"), ctx.now()),
  resolveCase: (_parent, { caseId, outcome, summary }, ctx) => ctx.cases.resolveCase(caseId, outcome, summary, staff(ctx, caseId, "caseId"), ctx.now()),
};
