import type { DecisionRules } from "./ruleset.ts";

/** Machine-readable reasons why something is not allowed; clients switch on them. */
export type RestrictionReason =
  | "NOT_YET_ASSESSED"
  | "NO_RULE_SET"
  | "BLOCKED"
  | "SELF_EXCLUDED"
  | "TIMED_OUT"
  | "UNDER_MINIMUM_AGE"
  | "AGE_NOT_VERIFIED"
  | "IDENTITY_NOT_VERIFIED"
  | "GAMSTOP_EXCLUDED"
  | "GAMSTOP_NOT_CHECKED"
  | "GAMSTOP_UNAVAILABLE";

export type GamstopStatus = "NOT_CHECKED" | "CLEAR" | "EXCLUDED" | "UNAVAILABLE";

/** What the decision reads of a player's restrictions row. */
export interface RestrictionState {
  dateOfBirth: Date;
  ageVerified: boolean;
  identityVerified: boolean;
  selfExcludedUntil: Date | null;
  timedOutUntil: Date | null;
  blocked: boolean;
  gamstopStatus: GamstopStatus;
}

export interface Decision {
  canDeposit: boolean;
  canPlay: boolean;
  reasons: RestrictionReason[];
}

interface Finding {
  reason: RestrictionReason;
  blocksDeposit: boolean;
  blocksPlay: boolean;
}

const blocksEverything = (reason: RestrictionReason): Finding => ({ reason, blocksDeposit: true, blocksPlay: true });

/** Before compliance has seen the registration nothing is allowed: failing closed is the rule. */
export function notYetAssessed(): Decision {
  return { canDeposit: false, canPlay: false, reasons: ["NOT_YET_ASSESSED"] };
}

/** Completed years of age on `at`, by UTC calendar date (born 29 February: a year older on 1 March). */
export function ageInYears(dateOfBirth: Date, at: Date): number {
  const years = at.getUTCFullYear() - dateOfBirth.getUTCFullYear();
  const birthdayReached =
    at.getUTCMonth() > dateOfBirth.getUTCMonth() ||
    (at.getUTCMonth() === dateOfBirth.getUTCMonth() && at.getUTCDate() >= dateOfBirth.getUTCDate());
  return birthdayReached ? years : years - 1;
}

/**
 * What a player may do at `now` under the rule set in force (`rules`, null when the jurisdiction
 * has none). Pure: every reason that applies is listed, so support sees all of them at once.
 */
export function decide(state: RestrictionState, rules: DecisionRules | null, now: Date): Decision {
  const findings: Finding[] = [];
  if (state.blocked) findings.push(blocksEverything("BLOCKED"));
  if (state.selfExcludedUntil && state.selfExcludedUntil.getTime() > now.getTime()) findings.push(blocksEverything("SELF_EXCLUDED"));
  if (state.timedOutUntil && state.timedOutUntil.getTime() > now.getTime()) findings.push(blocksEverything("TIMED_OUT"));
  if (!rules) {
    // No rules for the jurisdiction: nothing can be shown to be allowed.
    findings.push(blocksEverything("NO_RULE_SET"));
  } else {
    if (ageInYears(state.dateOfBirth, now) < rules.minimumAge.years) findings.push(blocksEverything("UNDER_MINIMUM_AGE"));
    const verification = rules.ageAndIdentityVerification;
    const unverified: Array<[boolean, RestrictionReason]> = [
      [state.ageVerified, "AGE_NOT_VERIFIED"],
      [state.identityVerified, "IDENTITY_NOT_VERIFIED"],
    ];
    for (const [verified, reason] of unverified) {
      if (verified || !(verification.requiredBeforeDeposit || verification.requiredBeforePlay)) continue;
      findings.push({ reason, blocksDeposit: verification.requiredBeforeDeposit, blocksPlay: verification.requiredBeforePlay });
    }
    // Where GAMSTOP participation is required, only a check that answered "not excluded" lets the
    // player deposit or play; a check that could not be made counts as "cannot verify".
    if (rules.selfExclusion?.gamstopParticipationRequired) {
      const gamstop: Partial<Record<GamstopStatus, RestrictionReason>> = {
        EXCLUDED: "GAMSTOP_EXCLUDED",
        NOT_CHECKED: "GAMSTOP_NOT_CHECKED",
        UNAVAILABLE: "GAMSTOP_UNAVAILABLE",
      };
      const reason = gamstop[state.gamstopStatus];
      if (reason) findings.push(blocksEverything(reason));
    }
  }
  return {
    canDeposit: !findings.some((f) => f.blocksDeposit),
    canPlay: !findings.some((f) => f.blocksPlay),
    reasons: findings.map((f) => f.reason),
  };
}
