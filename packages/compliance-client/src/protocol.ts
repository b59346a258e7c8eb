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

export interface DepositAnswer extends CheckAnswer {
  /** What the tightest deposit limit still allows, minor units; null without limits. */
  remaining: bigint | null;
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
}
