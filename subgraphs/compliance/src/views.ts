import type { PlayerRestrictions, RuleSet } from "./generated/prisma/client.ts";
import { decide, notYetAssessed, type Decision } from "./restrictions.ts";
import { parseDecisionRules, ruleSetInForce } from "./ruleset.ts";

/** What the PlayerRestrictions GraphQL type resolves from: the stored facts plus the decision now. */
export interface RestrictionsView {
  playerId: string;
  jurisdiction: string;
  ageVerified: boolean;
  identityVerified: boolean;
  selfExcludedUntil: Date | null;
  timedOutUntil: Date | null;
  updatedAt: Date;
  decision: Decision;
  /** The rule set the decision was taken under; null when the jurisdiction has none in force. */
  ruleSet: Pick<RuleSet, "id" | "version"> | null;
}

/** Decides a stored row under the jurisdiction's rule set in force at `now`. */
export function assessedView(row: PlayerRestrictions, ruleSets: readonly RuleSet[], now: Date): RestrictionsView {
  const inForce = ruleSetInForce(ruleSets, row.jurisdiction, now) ?? null;
  return {
    playerId: row.playerId,
    jurisdiction: row.jurisdiction,
    ageVerified: row.ageVerified,
    identityVerified: row.identityVerified,
    selfExcludedUntil: row.selfExcludedUntil,
    timedOutUntil: row.timedOutUntil,
    updatedAt: row.updatedAt,
    decision: decide(row, inForce ? parseDecisionRules(inForce) : null, now),
    ruleSet: inForce ? { id: inForce.id, version: inForce.version } : null,
  };
}

/**
 * The answer for a player whose registration compliance has not processed yet. There is no row,
 * so `updatedAt` is the moment of asking: the instant this restrictive answer was established.
 */
export function notYetAssessedView(playerId: string, jurisdiction: string, now: Date): RestrictionsView {
  return {
    playerId,
    jurisdiction,
    ageVerified: false,
    identityVerified: false,
    selfExcludedUntil: null,
    timedOutUntil: null,
    updatedAt: now,
    decision: notYetAssessed(),
    ruleSet: null,
  };
}

/** What the ResponsibleGambling GraphQL type resolves from. */
export interface ResponsibleGamblingView {
  playerId: string;
}
