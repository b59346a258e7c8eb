import { appError, badInput } from "@casino/kernel/errors";

/**
 * The life of a compliance case as a pure decision: (state, command) -> change, or a typed error.
 *
 *   OPEN --assign--> ASSIGNED --assign (someone else)--> ASSIGNED --resolve--> RESOLVED (final)
 *
 * Notes and evidence can be added while the case is OPEN or ASSIGNED. Resolving needs an assignee
 * (someone answers for the outcome), an outcome and a summary. A resolved case is final: a new
 * concern is a new case. Illegal transitions are CONFLICT; malformed input is BAD_USER_INPUT.
 */

export type CaseStatus = "OPEN" | "ASSIGNED" | "RESOLVED";
export type CaseOutcome = "NO_ACTION" | "RESTRICTED" | "REPORTED" | "CLOSED_ACCOUNT";
export type CaseNoteKind = "NOTE" | "EVIDENCE";
export const CASE_OUTCOMES: readonly CaseOutcome[] = ["NO_ACTION", "RESTRICTED", "REPORTED", "CLOSED_ACCOUNT"];

export interface CaseState {
  status: CaseStatus;
  assigneeId: string | null;
}

export type CaseCommand =
  | { type: "ASSIGN"; assigneeId: string }
  | { type: "ADD_NOTE"; kind: CaseNoteKind; body: string; reference: string | null }
  | { type: "RESOLVE"; outcome: CaseOutcome | null; summary: string | null };

export type CaseChange =
  | { type: "ASSIGNED"; assigneeId: string; previousAssigneeId: string | null }
  | { type: "NOTE_ADDED"; kind: CaseNoteKind; body: string; reference: string | null }
  | { type: "RESOLVED"; outcome: CaseOutcome; summary: string };

const STAFF_ID = /^[A-Za-z0-9._:@-]{1,100}$/;
const SUMMARY_MIN = 3;
const SUMMARY_MAX = 2000;
const NOTE_MAX = 5000;
const REFERENCE_MAX = 2000;

const conflict = (message: string) => appError("CONFLICT", message);

export function decideCaseTransition(state: CaseState, command: CaseCommand): CaseChange {
  switch (command.type) {
    case "ASSIGN": {
      const assigneeId = command.assigneeId.trim();
      if (!STAFF_ID.test(assigneeId)) throw badInput("assigneeId must be a staff id", "assigneeId");
      if (state.status === "RESOLVED") throw conflict("A resolved case cannot be assigned");
      if (state.assigneeId === assigneeId) throw conflict(`The case is already assigned to ${assigneeId}`);
      return { type: "ASSIGNED", assigneeId, previousAssigneeId: state.assigneeId };
    }
    case "ADD_NOTE": {
      const body = command.body.trim();
      const reference = command.reference?.trim() || null;
      if (body.length === 0 || body.length > NOTE_MAX) throw badInput(`body must be 1-${NOTE_MAX} characters`, "body");
      if (reference !== null && reference.length > REFERENCE_MAX) throw badInput(`reference must be at most ${REFERENCE_MAX} characters`, "reference");
      if (command.kind === "EVIDENCE" && reference === null) throw badInput("Evidence needs a reference (a document id or URL)", "reference");
      if (state.status === "RESOLVED") throw conflict("A resolved case is final; open a new case for a new concern");
      return { type: "NOTE_ADDED", kind: command.kind, body, reference };
    }
    case "RESOLVE": {
      const summary = command.summary?.trim() ?? "";
      if (command.outcome === null || !CASE_OUTCOMES.includes(command.outcome)) throw badInput("Resolving a case needs an outcome", "outcome");
      if (summary.length < SUMMARY_MIN || summary.length > SUMMARY_MAX) throw badInput(`summary must be ${SUMMARY_MIN}-${SUMMARY_MAX} characters`, "summary");
      if (state.status === "RESOLVED") throw conflict("The case is already resolved");
      if (state.status === "OPEN") throw conflict("Assign the case before resolving it");
      return { type: "RESOLVED", outcome: command.outcome, summary };
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown case command ${JSON.stringify(unknown)}`);
    }
  }
}

/** The state after a change. */
export function applyCaseChange(state: CaseState, change: CaseChange): CaseState {
  switch (change.type) {
    case "ASSIGNED":
      return { status: "ASSIGNED", assigneeId: change.assigneeId };
    case "NOTE_ADDED":
      return state;
    case "RESOLVED":
      return { ...state, status: "RESOLVED" };
    default: {
      const unknown: never = change;
      throw new Error(`unknown case change ${JSON.stringify(unknown)}`);
    }
  }
}

/** The value of the unique `openKey` while a case is open: at most one open case of a kind per player. */
/**
 * The case kinds a staff member may see. Compliance (and admin) see every case. Support sees only
 * the safer-gambling cases it may have to act on with the player (financial vulnerability). Money
 * laundering cases, staff-opened ones and settlement mismatches stay with compliance: anyone who
 * talks to the player must not be able to tip them off about a suspicion (POCA 2002 s.333A).
 */
export const SUPPORT_VISIBLE_CASE_KINDS = ["FINANCIAL_VULNERABILITY"] as const;

export function visibleCaseKinds(roles: readonly string[]): readonly string[] | "all" {
  return roles.includes("compliance") || roles.includes("admin") ? "all" : SUPPORT_VISIBLE_CASE_KINDS;
}

export const openKeyOf = (playerId: string, kind: string) => `${playerId}:${kind}`;

/** A manual case's reason, kept in its facts. */
export function validateReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed.length < SUMMARY_MIN || trimmed.length > SUMMARY_MAX) throw badInput(`reason must be ${SUMMARY_MIN}-${SUMMARY_MAX} characters`, "reason");
  return trimmed;
}
