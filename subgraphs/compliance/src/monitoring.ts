import { z } from "@casino/kernel/config";
import { InvalidRuleSetError, type RuleSetVersion } from "./ruleset.ts";

/**
 * Transaction monitoring as pure functions of (movements, the triggering movement, rules, now):
 * the financial vulnerability check (LCCP SR 3.4.4) and the AML detections. Every figure comes
 * from the rule set in force; a rule set without a group, or without a figure for the movement's
 * currency, does not run that detection. Compliance only sees money movements (deposits and paid
 * withdrawals), not play, so every detection is defined on those.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const source = z.string().min(1);
const positiveInt = z.number().int().positive();
const minorByCurrency = z.record(z.string().regex(/^[A-Z]{3}$/), positiveInt);

const monitoringRulesSchema = z.object({
  financialVulnerabilityCheck: z.object({ netDepositsThresholdMinor: minorByCurrency, rollingDays: positiveInt, source }).optional(),
  aml: z
    .object({
      sourceOfFunds: z.object({ cumulativeDepositsMinor: minorByCurrency, rollingDays: positiveInt, source }),
      rapidCycle: z.object({
        withdrawalShareOfDepositsPercent: z.number().int().min(1).max(100),
        lookbackHours: positiveInt,
        minimumDepositsMinor: minorByCurrency,
        source,
      }),
      structuring: z.object({
        reportingThresholdMinor: minorByCurrency,
        bandLowerPercent: z.number().int().min(1).max(99),
        minimumDeposits: z.number().int().min(2),
        windowHours: positiveInt,
        source,
      }),
      source,
    })
    .optional(),
});

export type MonitoringRules = z.infer<typeof monitoringRulesSchema>;

export function parseMonitoringRules(ruleSet: RuleSetVersion & { rules: unknown }): MonitoringRules {
  const parsed = monitoringRulesSchema.safeParse(ruleSet.rules);
  if (!parsed.success) {
    throw new InvalidRuleSetError(ruleSet.jurisdiction, ruleSet.version, parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  return parsed.data;
}

export interface Movement {
  transactionId: string;
  direction: "DEPOSIT" | "WITHDRAWAL";
  currency: string;
  /** Minor units, positive. */
  amount: bigint;
  occurredAt: Date;
}

export type DetectedKind = "FINANCIAL_VULNERABILITY" | "AML_SOURCE_OF_FUNDS" | "AML_RAPID_CYCLE" | "AML_STRUCTURING";

export interface Detection {
  kind: DetectedKind;
  /** Start of the period the facts cover. */
  windowStart: Date;
  /** JSON-ready: amounts in minor units as strings, instants as ISO 8601. */
  facts: Record<string, unknown>;
}

const sum = (ms: readonly Movement[]) => ms.reduce((total, m) => total + m.amount, 0n);
const deposits = (ms: readonly Movement[]) => ms.filter((m) => m.direction === "DEPOSIT");
const withdrawals = (ms: readonly Movement[]) => ms.filter((m) => m.direction === "WITHDRAWAL");
const line = (m: Movement) => ({ transactionId: m.transactionId, direction: m.direction, amountMinor: m.amount.toString(), occurredAt: m.occurredAt.toISOString() });

/** The player's other movements in the trigger's currency (the trigger may or may not be among them). */
const othersLike = (movements: readonly Movement[], trigger: Movement) =>
  movements.filter((m) => m.transactionId !== trigger.transactionId && m.currency === trigger.currency);

/**
 * Financial vulnerability (LCCP SR 3.4.4). Net deposits = deposits - paid withdrawals with
 * occurredAt in the rolling window (now - rollingDays, now]. Fires on the deposit that takes net
 * deposits from at or below the threshold to strictly above it ("over 150 GBP"): exactly at the
 * threshold does not fire. Staying above does not fire again; falling back and crossing again does.
 */
export function detectFinancialVulnerability(movements: readonly Movement[], trigger: Movement, rules: MonitoringRules, now: Date): Detection | null {
  const rule = rules.financialVulnerabilityCheck;
  const thresholdFigure = rule?.netDepositsThresholdMinor[trigger.currency];
  if (!rule || thresholdFigure === undefined || trigger.direction !== "DEPOSIT") return null;
  const windowStart = new Date(now.getTime() - rule.rollingDays * DAY);
  if (trigger.occurredAt <= windowStart) return null;
  const inWindow = othersLike(movements, trigger).filter((m) => m.occurredAt > windowStart);
  const depositsBefore = sum(deposits(inWindow));
  const paidOut = sum(withdrawals(inWindow));
  const threshold = BigInt(thresholdFigure);
  const before = depositsBefore - paidOut;
  const after = before + trigger.amount;
  if (!(before <= threshold && after > threshold)) return null;
  return {
    kind: "FINANCIAL_VULNERABILITY",
    windowStart,
    facts: {
      rule: "financialVulnerabilityCheck",
      currency: trigger.currency,
      netDepositsMinor: after.toString(),
      depositsMinor: (depositsBefore + trigger.amount).toString(),
      paidWithdrawalsMinor: paidOut.toString(),
      thresholdMinor: threshold.toString(),
      rollingDays: rule.rollingDays,
      windowStart: windowStart.toISOString(),
      windowEnd: now.toISOString(),
      triggeringTransactionId: trigger.transactionId,
      source: rule.source,
    },
  };
}

/**
 * AML source of funds: deposits (withdrawals not netted) with occurredAt in (now - rollingDays,
 * now]. Fires on the deposit that takes the total from below the figure to at least the figure:
 * exactly at the figure fires.
 */
export function detectSourceOfFunds(movements: readonly Movement[], trigger: Movement, rules: MonitoringRules, now: Date): Detection | null {
  const rule = rules.aml?.sourceOfFunds;
  const figure = rule?.cumulativeDepositsMinor[trigger.currency];
  if (!rule || figure === undefined || trigger.direction !== "DEPOSIT") return null;
  const windowStart = new Date(now.getTime() - rule.rollingDays * DAY);
  if (trigger.occurredAt <= windowStart) return null;
  const before = sum(deposits(othersLike(movements, trigger)).filter((m) => m.occurredAt > windowStart));
  const after = before + trigger.amount;
  const threshold = BigInt(figure);
  if (!(before < threshold && after >= threshold)) return null;
  return {
    kind: "AML_SOURCE_OF_FUNDS",
    windowStart,
    facts: {
      rule: "aml.sourceOfFunds",
      currency: trigger.currency,
      cumulativeDepositsMinor: after.toString(),
      thresholdMinor: threshold.toString(),
      rollingDays: rule.rollingDays,
      windowStart: windowStart.toISOString(),
      windowEnd: now.toISOString(),
      triggeringTransactionId: trigger.transactionId,
      source: rule.source,
    },
  };
}

/**
 * AML rapid deposit-withdraw cycle. For a paid withdrawal W at time t, D = the deposits (same
 * currency) with occurredAt in [t - lookbackHours, t). Fires when D >= minimumDepositsMinor and
 * W >= withdrawalShareOfDepositsPercent % of D: most of what came in went straight back out, so
 * at most the rest can have been lost in play (play itself is not visible to compliance; winnings
 * paid out count as withdrawn like anything else). Evaluated for the triggering withdrawal, and
 * for a triggering deposit against the withdrawals within lookbackHours after it (a deposit event
 * that arrives after its withdrawal's).
 */
export function detectRapidCycle(movements: readonly Movement[], trigger: Movement, rules: MonitoringRules, _now: Date): Detection | null {
  const rule = rules.aml?.rapidCycle;
  const minimumFigure = rule?.minimumDepositsMinor[trigger.currency];
  if (!rule || minimumFigure === undefined) return null;
  const lookback = rule.lookbackHours * HOUR;
  const all = [...othersLike(movements, trigger), trigger];
  const candidates =
    trigger.direction === "WITHDRAWAL"
      ? [trigger]
      : withdrawals(all).filter((w) => trigger.occurredAt.getTime() >= w.occurredAt.getTime() - lookback && trigger.occurredAt < w.occurredAt);
  for (const withdrawal of candidates) {
    const windowStart = new Date(withdrawal.occurredAt.getTime() - lookback);
    const preceding = deposits(all).filter((d) => d.occurredAt >= windowStart && d.occurredAt < withdrawal.occurredAt);
    const deposited = sum(preceding);
    if (deposited < BigInt(minimumFigure)) continue;
    if (withdrawal.amount * 100n < deposited * BigInt(rule.withdrawalShareOfDepositsPercent)) continue;
    return {
      kind: "AML_RAPID_CYCLE",
      windowStart,
      facts: {
        rule: "aml.rapidCycle",
        currency: trigger.currency,
        withdrawal: line(withdrawal),
        depositsMinor: deposited.toString(),
        deposits: preceding.map(line),
        withdrawalShareOfDepositsPercent: rule.withdrawalShareOfDepositsPercent,
        lookbackHours: rule.lookbackHours,
        minimumDepositsMinor: String(minimumFigure),
        triggeringTransactionId: trigger.transactionId,
        source: rule.source,
      },
    };
  }
  return null;
}

/**
 * AML structuring. A deposit is "just under" the reporting threshold T when
 * bandLowerPercent % of T <= amount < T. Fires when the triggering deposit is just under and at
 * least minimumDeposits just-under deposits (the trigger among them) fall within one span of less
 * than windowHours (first to last < windowHours apart). Deposits at T or above are not
 * structuring: they reach the threshold.
 */
export function detectStructuring(movements: readonly Movement[], trigger: Movement, rules: MonitoringRules, _now: Date): Detection | null {
  const rule = rules.aml?.structuring;
  const thresholdFigure = rule?.reportingThresholdMinor[trigger.currency];
  if (!rule || thresholdFigure === undefined) return null;
  const threshold = BigInt(thresholdFigure);
  const justUnder = (m: Movement) => m.direction === "DEPOSIT" && m.amount * 100n >= threshold * BigInt(rule.bandLowerPercent) && m.amount < threshold;
  if (!justUnder(trigger)) return null;
  const span = rule.windowHours * HOUR;
  const band = [...othersLike(movements, trigger), trigger].filter(justUnder).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const t = trigger.occurredAt.getTime();
  for (const first of band) {
    const start = first.occurredAt.getTime();
    if (start > t || start <= t - span) continue;
    const within = band.filter((m) => m.occurredAt.getTime() >= start && m.occurredAt.getTime() < start + span);
    if (within.length < rule.minimumDeposits) continue;
    return {
      kind: "AML_STRUCTURING",
      windowStart: first.occurredAt,
      facts: {
        rule: "aml.structuring",
        currency: trigger.currency,
        reportingThresholdMinor: threshold.toString(),
        bandFromMinor: ((threshold * BigInt(rule.bandLowerPercent) + 99n) / 100n).toString(),
        minimumDeposits: rule.minimumDeposits,
        windowHours: rule.windowHours,
        deposits: within.map(line),
        triggeringTransactionId: trigger.transactionId,
        source: rule.source,
      },
    };
  }
  return null;
}

const DETECTORS = [detectFinancialVulnerability, detectSourceOfFunds, detectRapidCycle, detectStructuring] as const;

/** Every detection the triggering movement sets off. */
export function detectAll(movements: readonly Movement[], trigger: Movement, rules: MonitoringRules, now: Date): Detection[] {
  return DETECTORS.map((detect) => detect(movements, trigger, rules, now)).filter((d): d is Detection => d !== null);
}

/** The earliest instant any detection reads, so the caller loads the movements it needs once. */
export function movementsNeededFrom(trigger: Movement, rules: MonitoringRules, now: Date): Date {
  const days = Math.max(rules.financialVulnerabilityCheck?.rollingDays ?? 0, rules.aml?.sourceOfFunds.rollingDays ?? 0);
  const hours = Math.max(rules.aml?.rapidCycle.lookbackHours ?? 0, rules.aml?.structuring.windowHours ?? 0);
  return new Date(Math.min(now.getTime() - days * DAY, trigger.occurredAt.getTime() - hours * HOUR));
}
