import { z } from "@casino/kernel/config";
import { appError, badInput } from "@casino/kernel/errors";
import { ageInYears } from "./restrictions.ts";
import { InvalidRuleSetError, type RuleSetVersion } from "./ruleset.ts";

/**
 * Responsible-gambling rules as pure functions of (state, request, rules, now): deposit limits
 * (RTS 12), time-outs, self-exclusion (LCCP SR 3.5.5) and slot stake limits (DCMS / GC 2025). The
 * figures come from the rule set in force, never from code.
 */

export type LimitPeriod = "DAY" | "WEEK" | "MONTH";
export const LIMIT_PERIODS: readonly LimitPeriod[] = ["DAY", "WEEK", "MONTH"];

const source = z.string().min(1);
const rgRulesSchema = z.object({
  depositLimits: z.object({ increaseCoolingOffHours: z.number().int().min(0), increaseRequiresConfirmation: z.boolean(), source }),
  timeOut: z.object({ anyPeriodUpTo: z.string().regex(/^P\d+[DW]$/), source }),
  selfExclusion: z.object({ minimumMonths: z.number().int().min(1), source }),
  slotStakeLimitMinor: z.record(z.string(), z.union([z.number().int().positive(), z.string()])).optional(),
});
export type RgRules = z.infer<typeof rgRulesSchema>;

export function parseRgRules(ruleSet: RuleSetVersion & { rules: unknown }): RgRules {
  const parsed = rgRulesSchema.safeParse(ruleSet.rules);
  if (!parsed.success) {
    throw new InvalidRuleSetError(ruleSet.jurisdiction, ruleSet.version, parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  return parsed.data;
}

// ---- deposit limits -------------------------------------------------------------------------

export interface DepositLimitState {
  period: LimitPeriod;
  currency: string;
  amount: bigint | null;
  pendingAmount: bigint | null;
  pendingRemoval: boolean;
  pendingRequestedAt: Date | null;
  pendingConfirmableAt: Date | null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Start of the rolling window of a period ending at `now`: 24 hours, 7 days, one calendar month. */
export function windowStart(period: LimitPeriod, now: Date): Date {
  switch (period) {
    case "DAY":
      return new Date(now.getTime() - DAY);
    case "WEEK":
      return new Date(now.getTime() - 7 * DAY);
    case "MONTH": {
      const d = new Date(now);
      const day = d.getUTCDate();
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() - 1);
      // 31 March back one month is 28/29 February, not 3 March.
      const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
      d.setUTCDate(Math.min(day, lastDay));
      return d;
    }
    default: {
      const unknown: never = period;
      throw new Error(`unknown period ${String(unknown)}`);
    }
  }
}

/**
 * A player sets a limit (amount) or removes it (null). A new or lower limit applies at once; a
 * higher one, or a removal, waits for the cooling-off and the player's confirmation, and until
 * then the current limit stays in force. Returns the new state of that period's limit.
 */
export function requestLimitChange(
  current: DepositLimitState | undefined,
  request: { period: LimitPeriod; amount: bigint | null; currency: string },
  rules: RgRules,
  now: Date,
): DepositLimitState {
  if (request.amount !== null && request.amount <= 0n) throw badInput("A deposit limit must be greater than zero; to remove it, set none", "amount");
  if (current && current.currency !== request.currency) {
    throw badInput(`Deposit limits are in ${current.currency}, the account's currency`, "currency");
  }
  const base: DepositLimitState = current ?? { period: request.period, currency: request.currency, amount: null, pendingAmount: null, pendingRemoval: false, pendingRequestedAt: null, pendingConfirmableAt: null };
  const cleared = { ...base, pendingAmount: null, pendingRemoval: false, pendingRequestedAt: null, pendingConfirmableAt: null };
  const tighter = request.amount !== null && (base.amount === null || request.amount <= base.amount);
  if (tighter) return { ...cleared, amount: request.amount };
  if (request.amount === null && base.amount === null) return cleared;
  return {
    ...cleared,
    pendingAmount: request.amount,
    pendingRemoval: request.amount === null,
    pendingRequestedAt: now,
    pendingConfirmableAt: new Date(now.getTime() + rules.depositLimits.increaseCoolingOffHours * HOUR),
  };
}

/** The player confirms a pending increase or removal once its cooling-off has passed. */
export function confirmLimitChange(current: DepositLimitState | undefined, now: Date): DepositLimitState {
  if (!current || (current.pendingAmount === null && !current.pendingRemoval)) {
    throw appError("CONFLICT", "There is no pending increase of this deposit limit to confirm");
  }
  if (current.pendingConfirmableAt && now.getTime() < current.pendingConfirmableAt.getTime()) {
    throw appError("CONFLICT", `The increase can be confirmed from ${current.pendingConfirmableAt.toISOString()} (cooling-off period)`, {
      confirmableAt: current.pendingConfirmableAt.toISOString(),
    });
  }
  return { ...current, amount: current.pendingRemoval ? null : current.pendingAmount, pendingAmount: null, pendingRemoval: false, pendingRequestedAt: null, pendingConfirmableAt: null };
}

export interface DepositCheck {
  allowed: boolean;
  /** The period whose limit refuses the deposit, when one does. */
  exceededPeriod: LimitPeriod | null;
  /** What can still be deposited now under the tightest limit; null when there is no limit. */
  remaining: bigint | null;
}

/** Every limit in force must leave room for the deposit: the tightest one decides. */
export function checkDeposit(limits: readonly DepositLimitState[], depositedInWindow: Readonly<Record<LimitPeriod, bigint>>, amount: bigint): DepositCheck {
  let remaining: bigint | null = null;
  let exceededPeriod: LimitPeriod | null = null;
  for (const limit of limits) {
    if (limit.amount === null) continue;
    const left = limit.amount - depositedInWindow[limit.period];
    const clamped = left > 0n ? left : 0n;
    if (remaining === null || clamped < remaining) remaining = clamped;
    if (amount > left && exceededPeriod === null) exceededPeriod = limit.period;
  }
  return { allowed: exceededPeriod === null, exceededPeriod, remaining };
}

// ---- time-outs and self-exclusion -------------------------------------------------------------

const durationDays = (iso: string) => {
  const match = /^P(\d+)([DW])$/.exec(iso)!;
  return Number(match[1]) * (match[2] === "W" ? 7 : 1);
};

/** A time-out of `days` from now: 1 day up to the rule set's maximum (6 weeks); it cannot shorten one in force. */
export function timeOutUntil(days: number, currentUntil: Date | null, rules: RgRules, now: Date): Date {
  const max = durationDays(rules.timeOut.anyPeriodUpTo);
  if (!Number.isInteger(days) || days < 1 || days > max) throw badInput(`A time-out lasts from 1 to ${max} days (${rules.timeOut.source})`, "days");
  const until = new Date(now.getTime() + days * DAY);
  return currentUntil && currentUntil.getTime() > until.getTime() ? currentUntil : until;
}

/** Self-exclusion for `months` (at least the rule set's minimum); it can be extended, never shortened or lifted. */
export function selfExclusionUntil(months: number, currentUntil: Date | null, rules: RgRules, now: Date): Date {
  const min = rules.selfExclusion.minimumMonths;
  if (!Number.isInteger(months) || months < min || months > 60) {
    throw badInput(`Self-exclusion lasts at least ${min} months (${rules.selfExclusion.source}) and at most 60`, "months");
  }
  const until = new Date(now);
  const day = until.getUTCDate();
  until.setUTCDate(1);
  until.setUTCMonth(until.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth() + 1, 0)).getUTCDate();
  until.setUTCDate(Math.min(day, lastDay));
  return currentUntil && currentUntil.getTime() > until.getTime() ? currentUntil : until;
}

// ---- stakes -----------------------------------------------------------------------------------

export type GameKind = "SLOT" | "TABLE" | "LIVE" | "OTHER";

export interface StakeCheck {
  allowed: boolean;
  /** The largest stake allowed for this game kind, currency and player's age; null when unlimited. */
  maxStake: bigint | null;
}

/**
 * Online slot stake limits by age (5 GBP; 2 GBP for ages 18-24). A slot stake in a currency the
 * rule set gives no figure for is refused: the limit cannot be shown to be respected.
 */
export function checkStake(kind: GameKind, amount: bigint, currency: string, dateOfBirth: Date, rules: RgRules, now: Date): StakeCheck {
  const limits = rules.slotStakeLimitMinor;
  if (kind !== "SLOT" || !limits) return { allowed: true, maxStake: null };
  const young = ageInYears(dateOfBirth, now) <= 24;
  const figure = (young ? limits[`age18to24${currency}`] : undefined) ?? limits[currency];
  if (typeof figure !== "number") return { allowed: false, maxStake: 0n };
  const maxStake = BigInt(figure);
  return { allowed: amount <= maxStake, maxStake };
}
