import { randomUUID } from "node:crypto";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import { assertCurrency } from "@casino/kernel/money";
import { actorText, appendAudit, type Actor } from "./audit.ts";
import type { DepositLimit, Prisma, PrismaClient, PlayerRestrictions } from "./generated/prisma/client.ts";
import { recordRestrictionsChanged, type RestrictionsCause } from "./restrictions-changed.ts";
import {
  LIMIT_PERIODS,
  confirmLimitChange,
  parseRgRules,
  requestLimitChange,
  selfExclusionUntil,
  timeOutUntil,
  type DepositLimitState,
  type LimitPeriod,
  type RgRules,
} from "./responsible-gambling.ts";
import type { RuleBook } from "./rulebook.ts";
import { assessedView, type RestrictionsView } from "./views.ts";

type Tx = Prisma.TransactionClient;

export type { Actor } from "./audit.ts";

/**
 * The write path of responsible gambling. Every change is one transaction that updates the state,
 * appends to the audit log and writes `compliance.restrictions_changed` to the outbox. The checks
 * games and payments ask are in checks.ts.
 */
export class ResponsibleGambling {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly rules: RuleBook,
    private readonly publishOutbox: () => void,
  ) {}

  private async restrictionsOf(tx: Tx | PrismaClient, playerId: string, lock: boolean): Promise<PlayerRestrictions> {
    if (lock) await tx.$queryRaw`SELECT 1 FROM player_restrictions WHERE player_id = ${playerId}::uuid FOR UPDATE`;
    const row = await tx.playerRestrictions.findUnique({ where: { playerId } });
    if (!row) throw notFound("Player restrictions (registration not processed yet)");
    return row;
  }

  private rgRulesFor(row: PlayerRestrictions, now: Date): RgRules {
    const inForce = this.rules.inForce(row.jurisdiction, now);
    if (!inForce) throw appError("FORBIDDEN", `No rule set is in force for jurisdiction ${row.jurisdiction}`);
    return parseRgRules(inForce);
  }

  private view(row: PlayerRestrictions, now: Date): RestrictionsView {
    return assessedView(row, this.rules.versionsOf(row.jurisdiction), now);
  }

  private audit(tx: Tx, actor: Actor, action: string, playerId: string, details: Record<string, unknown>, now: Date) {
    return appendAudit(tx, actor, action, playerId, details, now);
  }

  private async changed(tx: Tx, playerId: string, cause: RestrictionsCause, now: Date): Promise<RestrictionsView> {
    const row = await tx.playerRestrictions.findUniqueOrThrow({ where: { playerId } });
    const view = this.view(row, now);
    await recordRestrictionsChanged(tx, view, cause, now);
    return view;
  }

  async depositLimits(playerId: string): Promise<DepositLimit[]> {
    const rows = await this.prisma.depositLimit.findMany({ where: { playerId } });
    return LIMIT_PERIODS.flatMap((p) => rows.filter((r) => r.period === p));
  }

  async setDepositLimit(playerId: string, period: LimitPeriod, amount: { minor: bigint; currency: string } | null, actor: Actor, now: Date): Promise<DepositLimit> {
    const result = await this.prisma.$transaction(async (tx) => {
      const row = await this.restrictionsOf(tx, playerId, true);
      const currency = amount ? assertCurrency(amount.currency) : (row.currency ?? "");
      if (!row.currency || currency !== row.currency) throw badInput(`Deposit limits are in the account's currency (${row.currency ?? "unknown"})`, "currency");
      const current = await tx.depositLimit.findUnique({ where: { playerId_period: { playerId, period } } });
      const next = requestLimitChange(current ?? undefined, { period, amount: amount?.minor ?? null, currency }, this.rgRulesFor(row, now), now);
      const saved = await this.saveLimit(tx, playerId, next, now);
      await this.audit(tx, actor, "DEPOSIT_LIMIT_REQUESTED", playerId, { period, requested: amount?.minor ?? null, inForce: next.amount, pending: next.pendingAmount, pendingRemoval: next.pendingRemoval }, now);
      await this.changed(tx, playerId, "DEPOSIT_LIMIT_CHANGED", now);
      return saved;
    });
    this.publishOutbox();
    return result;
  }

  async confirmDepositLimit(playerId: string, period: LimitPeriod, actor: Actor, now: Date): Promise<DepositLimit> {
    const result = await this.prisma.$transaction(async (tx) => {
      await this.restrictionsOf(tx, playerId, true);
      const current = await tx.depositLimit.findUnique({ where: { playerId_period: { playerId, period } } });
      const next = confirmLimitChange(current ?? undefined, now);
      const saved = await this.saveLimit(tx, playerId, next, now);
      await this.audit(tx, actor, "DEPOSIT_LIMIT_INCREASE_CONFIRMED", playerId, { period, inForce: next.amount }, now);
      await this.changed(tx, playerId, "DEPOSIT_LIMIT_CHANGED", now);
      return saved;
    });
    this.publishOutbox();
    return result;
  }

  private saveLimit(tx: Tx, playerId: string, s: DepositLimitState, now: Date): Promise<DepositLimit> {
    const data = {
      currency: s.currency,
      amount: s.amount,
      pendingAmount: s.pendingAmount,
      pendingRemoval: s.pendingRemoval,
      pendingRequestedAt: s.pendingRequestedAt,
      pendingConfirmableAt: s.pendingConfirmableAt,
      updatedAt: now,
    };
    return tx.depositLimit.upsert({ where: { playerId_period: { playerId, period: s.period } }, create: { playerId, period: s.period, ...data }, update: data });
  }

  async takeTimeOut(playerId: string, days: number, actor: Actor, now: Date): Promise<RestrictionsView> {
    return this.exclude(playerId, actor, now, "TIME_OUT", (row, rules) => timeOutUntil(days, row.timedOutUntil, rules, now), { days });
  }

  async selfExclude(playerId: string, months: number, actor: Actor, now: Date): Promise<RestrictionsView> {
    return this.exclude(playerId, actor, now, "SELF_EXCLUSION", (row, rules) => selfExclusionUntil(months, row.selfExcludedUntil, rules, now), { months });
  }

  private async exclude(
    playerId: string,
    actor: Actor,
    now: Date,
    kind: "TIME_OUT" | "SELF_EXCLUSION",
    until: (row: PlayerRestrictions, rules: RgRules) => Date,
    details: Record<string, unknown>,
  ): Promise<RestrictionsView> {
    const view = await this.prisma.$transaction(async (tx) => {
      const row = await this.restrictionsOf(tx, playerId, true);
      const endsAt = until(row, this.rgRulesFor(row, now));
      await tx.exclusion.create({ data: { id: randomUUID(), playerId, kind, startsAt: now, endsAt, source: actorText(actor) } });
      await tx.playerRestrictions.update({ where: { playerId }, data: kind === "TIME_OUT" ? { timedOutUntil: endsAt } : { selfExcludedUntil: endsAt } });
      await this.audit(tx, actor, kind, playerId, { ...details, endsAt: endsAt.toISOString() }, now);
      return this.changed(tx, playerId, kind, now);
    });
    this.publishOutbox();
    return view;
  }

  async setBlocked(playerId: string, blocked: boolean, reason: string, actor: Actor, now: Date): Promise<RestrictionsView> {
    const trimmed = reason.trim();
    if (trimmed.length < 3 || trimmed.length > 500) throw badInput("reason must be 3-500 characters", "reason");
    const view = await this.prisma.$transaction(async (tx) => {
      await this.restrictionsOf(tx, playerId, true);
      await tx.playerRestrictions.update({ where: { playerId }, data: { blocked } });
      await this.audit(tx, actor, blocked ? "BLOCKED" : "UNBLOCKED", playerId, { reason: trimmed }, now);
      return this.changed(tx, playerId, blocked ? "BLOCKED" : "UNBLOCKED", now);
    });
    this.publishOutbox();
    return view;
  }

  /**
   * Records a deposit or a paid withdrawal reported by the wallet. False when the transaction was
   * already recorded (the same transaction under another event id): nothing changes then.
   */
  async recordMoneyMovement(tx: Tx, m: { transactionId: string; playerId: string; direction: "DEPOSIT" | "WITHDRAWAL"; currency: string; amount: bigint; occurredAt: Date }): Promise<boolean> {
    return (await tx.moneyMovement.createMany({ data: [m], skipDuplicates: true })).count === 1;
  }
}
