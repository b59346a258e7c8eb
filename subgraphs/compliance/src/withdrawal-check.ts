import type { MonitoringRules } from "./monitoring.ts";
import type { RestrictionReason } from "./restrictions.ts";

/**
 * "May this player withdraw this now, and must a person look at it first?" as a pure decision.
 *
 * A withdrawal is the player's own money going back to them, so the restrictions that stop
 * gambling do not stop it: a self-excluded or timed-out player (or one excluded through GAMSTOP)
 * must still be able to take their balance out (RTS 8C, UKGC guidance on self-exclusion: balances
 * are returned). What refuses a withdrawal is what stops us knowing who is paid: age or identity
 * not verified, under age, not assessed yet, or another currency than the account's. What holds
 * it for staff is a risk to look at before money leaves: a blocked account, an open AML case, the
 * operator's AML thresholds (cumulative deposits reaching the source-of-funds figure without
 * accepted evidence, a withdrawal returning most of the deposits just made), or a jurisdiction
 * without rules.
 */

export type RiskLevel = "LOW" | "MEDIUM" | "HIGH";

/** Restriction reasons that refuse a withdrawal (nothing is reserved). */
const REFUSING: ReadonlySet<string> = new Set<RestrictionReason | "WRONG_CURRENCY">([
  "NOT_YET_ASSESSED",
  "UNDER_MINIMUM_AGE",
  "AGE_NOT_VERIFIED",
  "IDENTITY_NOT_VERIFIED",
  "WRONG_CURRENCY",
]);
/** Restriction reasons that hold a withdrawal for staff. */
const HOLDING: ReadonlySet<string> = new Set<RestrictionReason>(["BLOCKED", "NO_RULE_SET"]);
// SELF_EXCLUDED, TIMED_OUT and GAMSTOP_* neither refuse nor hold: the player gets their money back.

export type WithdrawalReviewReason = "BLOCKED" | "NO_RULE_SET" | "AML_CASE_OPEN" | "AML_SOURCE_OF_FUNDS" | "AML_RAPID_CYCLE";

/** Case kinds that count for a player's risk; a reconciliation mismatch is about a PSP's records, not the player. */
const PLAYER_RISK_KINDS = new Set(["FINANCIAL_VULNERABILITY", "AML_SOURCE_OF_FUNDS", "AML_RAPID_CYCLE", "AML_STRUCTURING", "OTHER"]);
const isAml = (kind: string) => kind.startsWith("AML_");

export interface RiskFacts {
  blocked: boolean;
  /** Kinds of the player's unresolved cases. */
  openCaseKinds: readonly string[];
  /** A case of the player was ever resolved REPORTED (a SAR) or RESTRICTED. */
  adverseOutcome: boolean;
}

/**
 * The player's risk level for payments (routing, holds): HIGH with an open AML case, a block, or a
 * case that ended in a report or a restriction; MEDIUM with any other open case about the player
 * (financial vulnerability, one opened by hand); LOW otherwise.
 */
export function riskLevelOf(f: RiskFacts): RiskLevel {
  const open = f.openCaseKinds.filter((k) => PLAYER_RISK_KINDS.has(k));
  if (f.blocked || f.adverseOutcome || open.some(isAml)) return "HIGH";
  if (open.length > 0) return "MEDIUM";
  return "LOW";
}

export interface WithdrawalFacts extends RiskFacts {
  /** Every reason the restriction decision gives (decide()), plus WRONG_CURRENCY. */
  restrictionReasons: readonly string[];
  currency: string;
  amountMinor: bigint;
  /** The monitoring rules in force (null: none). */
  rules: MonitoringRules | null;
  /** Deposits in `currency` within the source-of-funds window, and within the rapid-cycle lookback. */
  sourceOfFundsDepositsMinor: bigint;
  rapidCycleDepositsMinor: bigint;
  /** A source-of-funds case was resolved NO_ACTION (evidence accepted) inside the current window. */
  sourceOfFundsCleared: boolean;
}

export interface WithdrawalDecision {
  allowed: boolean;
  /** Why it is refused (empty when allowed). */
  reasons: string[];
  /** A person must approve it before it is paid out (payments holds it); also given when refused. */
  reviewRequired: boolean;
  reviewReasons: WithdrawalReviewReason[];
  riskLevel: RiskLevel;
}

export function decideWithdrawal(f: WithdrawalFacts): WithdrawalDecision {
  const reasons = f.restrictionReasons.filter((r) => REFUSING.has(r));
  const review: WithdrawalReviewReason[] = f.restrictionReasons.filter((r): r is WithdrawalReviewReason => HOLDING.has(r));
  if (f.openCaseKinds.some(isAml)) review.push("AML_CASE_OPEN");
  const sof = f.rules?.aml?.sourceOfFunds;
  const sofFigure = sof?.cumulativeDepositsMinor[f.currency];
  if (sofFigure !== undefined && f.sourceOfFundsDepositsMinor >= BigInt(sofFigure) && !f.sourceOfFundsCleared) review.push("AML_SOURCE_OF_FUNDS");
  const rapid = f.rules?.aml?.rapidCycle;
  const rapidMinimum = rapid?.minimumDepositsMinor[f.currency];
  if (
    rapid &&
    rapidMinimum !== undefined &&
    f.rapidCycleDepositsMinor >= BigInt(rapidMinimum) &&
    f.amountMinor * 100n >= f.rapidCycleDepositsMinor * BigInt(rapid.withdrawalShareOfDepositsPercent)
  ) {
    review.push("AML_RAPID_CYCLE");
  }
  return { allowed: reasons.length === 0, reasons, reviewRequired: review.length > 0, reviewReasons: review, riskLevel: riskLevelOf(f) };
}
