import type { PspEvent } from "../psp/types.ts";

/**
 * A withdrawal: REQUESTED (funds being reserved in the wallet) -> ON_HOLD (AML threshold: staff
 * decide) or APPROVED -> SENT (the PSP accepted the payout) -> PAID (the PSP paid it; the
 * reservation is committed) or FAILED (declined, rejected or failed; the reservation is voided).
 * No transition leads from a reserved withdrawal back into play except FAILED's void: a player
 * cannot reverse a withdrawal request (RTS 8C).
 */
export type WithdrawalStatus = "REQUESTED" | "ON_HOLD" | "IN_REVIEW" | "APPROVED" | "SENT" | "PAID" | "FAILED";

export interface WithdrawalState {
  status: WithdrawalStatus;
  psp: string;
  pspReference: string | null;
  amountMinor: bigint;
  currency: string;
}

export type WithdrawalDecision =
  | { outcome: "APPLIED"; to: WithdrawalStatus; pspReference: string }
  | { outcome: "STALE" }
  | { outcome: "MISMATCH"; detail: string }
  | { outcome: "REVIEW"; detail: string };

/** What one verified payout notification does to a withdrawal; order-independent like deposits. */
export function decideWithdrawal(w: WithdrawalState, event: PspEvent): WithdrawalDecision {
  if (event.kind !== "PAYOUT") return { outcome: "MISMATCH", detail: `a ${event.kind} notification for a withdrawal` };
  if (event.psp !== w.psp) return { outcome: "MISMATCH", detail: `from ${event.psp}, but the withdrawal went to ${w.psp}` };
  if (w.pspReference !== null && w.pspReference !== event.pspReference) return { outcome: "MISMATCH", detail: `PSP reference ${event.pspReference}, the withdrawal's is ${w.pspReference}` };
  if (event.currency !== undefined && event.currency !== w.currency) return { outcome: "MISMATCH", detail: `currency ${event.currency}, the withdrawal's is ${w.currency}` };
  if (event.amountMinor !== undefined && event.amountMinor !== w.amountMinor) {
    return { outcome: "MISMATCH", detail: `amount ${event.amountMinor} minor units, the withdrawal's is ${w.amountMinor}` };
  }
  // Only a withdrawal handed to the PSP can be paid or fail there.
  const sentOrSending = w.status === "APPROVED" || w.status === "SENT";
  const applied = (to: WithdrawalStatus): WithdrawalDecision => ({ outcome: "APPLIED", to, pspReference: event.pspReference });
  switch (event.status) {
    case "PENDING":
      return w.status === "APPROVED" ? applied("SENT") : { outcome: "STALE" };
    case "SUCCEEDED":
      if (sentOrSending) return applied("PAID");
      if (w.status === "PAID") return { outcome: "STALE" };
      return { outcome: "REVIEW", detail: `${event.psp} reports a payout paid for a withdrawal that is ${w.status}` };
    case "FAILED":
      return sentOrSending ? applied("FAILED") : { outcome: "STALE" };
    case "REVERSED":
      return w.status === "PAID" ? { outcome: "REVIEW", detail: `${event.psp} returned a paid payout (${event.pspType})` } : sentOrSending ? applied("FAILED") : { outcome: "STALE" };
    default: {
      const unknown: never = event.status;
      return { outcome: "MISMATCH", detail: `unknown status ${String(unknown)}` };
    }
  }
}
