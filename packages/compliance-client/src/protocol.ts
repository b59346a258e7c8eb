/**
 * Compliance's internal checks: "may this player play / stake / deposit this now?". JSON over HTTP
 * between our own services, authenticated by service tokens; amounts are integer minor units written
 * as decimal strings. Compliance answers from the player's current row on every call (never cached),
 * so a restriction set a moment ago applies to the very next check.
 */
export const COMPLIANCE_API_PREFIX = "/internal/compliance/v1";

export type GameKind = "SLOT" | "TABLE" | "LIVE" | "OTHER";

/** RTS 14 figures for one game kind in the player's jurisdiction, from the rule set in force. */
export interface GameDesign {
  minimumGameCycleMs: number;
  autoplayAllowed: boolean;
  turboAllowed: boolean;
  showNetPositionAndSessionTime: boolean;
  /** Where the figures come from (rule data), e.g. "RTS 14". */
  source: string;
}

export interface CheckAnswer {
  allowed: boolean;
  /** Machine-readable reasons when refused (SELF_EXCLUDED, TIMED_OUT, STAKE_LIMIT, DEPOSIT_LIMIT_DAY, ...). */
  reasons: string[];
}

export interface PlayAnswer extends CheckAnswer {
  jurisdiction: string | null;
  currency: string | null;
  design: GameDesign | null;
  /** Slot stake limit for this player in their currency, minor units; null when there is none. */
  maxStake: bigint | null;
}

export interface StakeAnswer extends CheckAnswer {
  maxStake: bigint | null;
}

/**
 * The player's risk level as compliance sees it (for routing and holds): HIGH with an open AML case,
 * a block, or a case that ended in a report or restriction; MEDIUM with any other open case about
 * the player; LOW otherwise. Null when compliance does not know the player yet.
 */
export type RiskLevel = "LOW" | "MEDIUM" | "HIGH";

export interface DepositAnswer extends CheckAnswer {
  /** What the tightest deposit limit still allows, minor units; null without limits. */
  remaining: bigint | null;
  riskLevel: RiskLevel | null;
}

/** Why a withdrawal must wait for staff before it is paid out. */
export type WithdrawalReviewReason = "BLOCKED" | "NO_RULE_SET" | "AML_CASE_OPEN" | "AML_SOURCE_OF_FUNDS" | "AML_RAPID_CYCLE";

/**
 * The answer to "may this player withdraw this now?". Refused (allowed false; reasons such as
 * AGE_NOT_VERIFIED, IDENTITY_NOT_VERIFIED, UNDER_MINIMUM_AGE, NOT_YET_ASSESSED, WRONG_CURRENCY) only
 * when we cannot know whom we pay; a self-exclusion, time-out or GAMSTOP exclusion never refuses a
 * withdrawal (the player's own money goes back to them). `reviewRequired`: staff approve it first.
 */
export interface WithdrawalAnswer extends CheckAnswer {
  reviewRequired: boolean;
  reviewReasons: WithdrawalReviewReason[];
  riskLevel: RiskLevel | null;
}

/** Wire forms (bigint as strings). */
export interface PlayAnswerBody extends CheckAnswer {
  jurisdiction: string | null;
  currency: string | null;
  design: GameDesign | null;
  maxStake: string | null;
}
export interface StakeAnswerBody extends CheckAnswer {
  maxStake: string | null;
}
export interface DepositAnswerBody extends CheckAnswer {
  remaining: string | null;
  riskLevel?: RiskLevel | null;
}
export type WithdrawalAnswerBody = WithdrawalAnswer;
