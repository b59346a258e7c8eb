import type { PspEvent } from "../psp/types.ts";

export type DepositStatus = "INITIATED" | "PENDING" | "SUCCEEDED" | "FAILED";

/** The payment as the decision needs it. */
export interface DepositState {
  status: DepositStatus;
  psp: string;
  pspReference: string | null;
  amountMinor: bigint;
  currency: string;
}

/**
 * What one verified notification does to a deposit:
 * - APPLIED: the deposit moves to `to` (and takes the PSP's reference when it had none yet);
 * - STALE: nothing new (a pending after the result, a decline after a success, a repeat);
 * - MISMATCH: the notification contradicts the deposit (PSP, reference, kind, amount, currency):
 *   nothing changes, a person looks at it;
 * - REVIEW: money already credited is reversed by the PSP: flagged, never undone automatically.
 */
export type DepositDecision =
  | { outcome: "APPLIED"; to: DepositStatus; pspReference: string }
  | { outcome: "STALE" }
  | { outcome: "MISMATCH"; detail: string }
  | { outcome: "REVIEW"; detail: string };

/**
 * Order-independent by construction: a success wins over everything before or after it (card PSPs
 * report a failed attempt and then a successful one on the same payment), so the final state is
 * SUCCEEDED as soon as any success arrives, FAILED when only failures did, and the credit that
 * goes with SUCCEEDED is made exactly once by the caller (under the payment's idempotency key).
 */
export function decideDeposit(deposit: DepositState, event: PspEvent): DepositDecision {
  if (event.kind !== "DEPOSIT") return { outcome: "MISMATCH", detail: `a ${event.kind} notification for a deposit` };
  if (event.psp !== deposit.psp) return { outcome: "MISMATCH", detail: `from ${event.psp}, but the deposit went to ${deposit.psp}` };
  if (deposit.pspReference !== null && deposit.pspReference !== event.pspReference) {
    return { outcome: "MISMATCH", detail: `PSP reference ${event.pspReference}, the deposit's is ${deposit.pspReference}` };
  }
  if (event.currency !== undefined && event.currency !== deposit.currency) {
    return { outcome: "MISMATCH", detail: `currency ${event.currency}, the deposit's is ${deposit.currency}` };
  }
  if (event.amountMinor !== undefined && event.amountMinor !== deposit.amountMinor) {
    return { outcome: "MISMATCH", detail: `amount ${event.amountMinor} minor units, the deposit's is ${deposit.amountMinor}` };
  }
  const applied = (to: DepositStatus): DepositDecision => ({ outcome: "APPLIED", to, pspReference: event.pspReference });
  switch (event.status) {
    case "SUCCEEDED":
      return deposit.status === "SUCCEEDED" ? { outcome: "STALE" } : applied("SUCCEEDED");
    case "PENDING":
      return deposit.status === "INITIATED" ? applied("PENDING") : { outcome: "STALE" };
    case "FAILED":
      return deposit.status === "INITIATED" || deposit.status === "PENDING" ? applied("FAILED") : { outcome: "STALE" };
    case "REVERSED":
      if (deposit.status === "SUCCEEDED") return { outcome: "REVIEW", detail: `${event.psp} reversed the deposit (${event.pspType})` };
      return deposit.status === "FAILED" ? { outcome: "STALE" } : applied("FAILED");
    default: {
      const unknown: never = event.status;
      return { outcome: "MISMATCH", detail: `unknown status ${String(unknown)}` };
    }
  }
}
