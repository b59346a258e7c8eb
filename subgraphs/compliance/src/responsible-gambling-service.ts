import { randomUUID } from "node:crypto";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import { assertCurrency } from "@casino/kernel/money";
import { actorText, appendAudit, type Actor } from "./audit.ts";
import type { DepositLimit, Prisma, PrismaClient, PlayerRestrictions } from "./generated/prisma/client.ts";
import { recordRestrictionsChanged, type RestrictionsCause } from "./restrictions-changed.ts";
import {
  LIMIT_PERIODS,
  checkDeposit,
  checkStake,
  confirmLimitChange,
  parseRgRules,
  requestLimitChange,
  selfExclusionUntil,
  timeOutUntil,
  windowStart,
  type DepositCheck,
  type DepositLimitState,
  type GameKind,
  type LimitPeriod,
  type RgRules,
  type StakeCheck,
} from "./responsible-gambling.ts";
import type { RuleBook } from "./rulebook.ts";
import { assessedView, type RestrictionsView } from "./views.ts";

type Tx = Prisma.TransactionClient;

export type { Actor } from "./audit.ts";

export interface PlayerCheck {
  allowed: boolean;
  /** Machine-readable reasons when refused: restriction reasons plus DEPOSIT_LIMIT_<PERIOD> or STAKE_LIMIT. */
  reasons: string[];
}

/**
 * The write and check paths of responsible gambling. Every change is one transaction that updates
 * the state, appends to the audit log and writes `compliance.restrictions_changed` to the outbox.
 * Checks read the database on every call, so a restriction set a moment ago applies to the very
 * next deposit or stake: there is no cache of player state to go stale (rule sets, which are
 * immutable, are the only thing cached).
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

  /** May this player deposit this amount now? Restrictions first, then every deposit limit. */
  async checkDeposit(playerId: string, currency: string, amount: bigint, now: Date): Promise<PlayerCheck & { remaining: bigint | null }> {
    const [row, limits] = await Promise.all([this.prisma.playerRestrictions.findUnique({ where: { playerId } }), this.prisma.depositLimit.findMany({ where: { playerId } })]);
    if (!row) return { allowed: false, reasons: ["NOT_YET_ASSESSED"], remaining: null };
    const decision = this.view(row, now).decision;
    const reasons: string[] = decision.canDeposit ? [] : [...decision.reasons];
    if (row.currency && currency !== row.currency) reasons.push("WRONG_CURRENCY");
    let check: DepositCheck = { allowed: true, exceededPeriod: null, remaining: null };
    const active = limits.filter((l) => l.amount !== null);
    if (active.length) {
      const since = windowStart("MONTH", now) < windowStart("WEEK", now) ? windowStart("MONTH", now) : windowStart("WEEK", now);
      const movements = await this.prisma.moneyMovement.findMany({
        where: { playerId, direction: "DEPOSIT", occurredAt: { gt: since } },
        select: { amount: true, occurredAt: true },
      });
      const sums = { DAY: 0n, WEEK: 0n, MONTH: 0n } as Record<LimitPeriod, bigint>;
      for (const p of LIMIT_PERIODS) {
        const start = windowStart(p, now).getTime();
        sums[p] = movements.filter((m) => m.occurredAt.getTime() > start).reduce((s, m) => s + m.amount, 0n);
      }
      check = checkDeposit(active, sums, amount);
      if (!check.allowed) reasons.push(`DEPOSIT_LIMIT_${check.exceededPeriod}`);
    }
    return { allowed: reasons.length === 0, reasons, remaining: check.remaining };
  }

  /** May this player stake this amount on this kind of game now? */
  async checkStake(playerId: string, currency: string, amount: bigint, kind: GameKind, now: Date): Promise<PlayerCheck & { maxStake: bigint | null }> {
    const row = await this.prisma.playerRestrictions.findUnique({ where: { playerId } });
    if (!row) return { allowed: false, reasons: ["NOT_YET_ASSESSED"], maxStake: null };
    const decision = this.view(row, now).decision;
    const reasons: string[] = decision.canPlay ? [] : [...decision.reasons];
    let stake: StakeCheck = { allowed: true, maxStake: null };
    const inForce = this.rules.inForce(row.jurisdiction, now);
    if (inForce) {
      stake = checkStake(kind, amount, currency, row.dateOfBirth, parseRgRules(inForce), now);
      if (!stake.allowed) reasons.push("STAKE_LIMIT");
    }
    return { allowed: reasons.length === 0, reasons, maxStake: stake.maxStake };
  }

  /**
   * Records a deposit or a paid withdrawal reported by the wallet. False when the transaction was
   * already recorded (the same transaction under another event id): nothing changes then.
   */
  async recordMoneyMovement(tx: Tx, m: { transactionId: string; playerId: string; direction: "DEPOSIT" | "WITHDRAWAL"; currency: string; amount: bigint; occurredAt: Date }): Promise<boolean> {
    return (await tx.moneyMovement.createMany({ data: [m], skipDuplicates: true })).count === 1;
  }
}
