import { randomUUID } from "node:crypto";
import type { DomainEvent } from "@casino/kernel/events/types";

/**
 * A `payments.reconciliation_mismatch` event shaped exactly as payments publishes it
 * (reconciliationMismatchPayload in subgraphs/payments/src/reconciliation/reconciliation-service.ts;
 * payments' reconciliation test pins the same shape): the outbox row carries the player when the
 * mismatch concerns a payment of ours, the payload its ids, amounts as minor-unit strings.
 */
export interface ReconciliationMismatchPayload {
  mismatchId: string;
  runId: string;
  psp: string;
  kind: string;
  pspReference: string;
  paymentId: string | null;
  playerId: string | null;
  lineNumber: number | null;
  expected: { minor: string; currency: string } | null;
  actual: { minor: string; currency: string } | null;
  detail: string;
}

export function amountDiffersEvent(playerId: string, runId = randomUUID()): DomainEvent<ReconciliationMismatchPayload> {
  const mismatchId = randomUUID();
  const payload: ReconciliationMismatchPayload = {
    mismatchId,
    runId,
    psp: "nuvei",
    kind: "AMOUNT_DIFFERS",
    pspReference: `ppp-${mismatchId.slice(0, 8)}`,
    paymentId: randomUUID(),
    playerId,
    lineNumber: 3,
    expected: { minor: "2000", currency: "EUR" },
    actual: { minor: "9999", currency: "EUR" },
    detail: "the PSP settled 99.99 EUR, the payment is 20.00 EUR",
  };
  return { id: randomUUID(), type: "payments.reconciliation_mismatch", source: "payments", aggregateId: mismatchId, playerId, occurredAt: new Date().toISOString(), payload };
}

export function missingInternallyEvent(runId = randomUUID()): DomainEvent<ReconciliationMismatchPayload> {
  const mismatchId = randomUUID();
  const payload: ReconciliationMismatchPayload = {
    mismatchId,
    runId,
    psp: "nuvei",
    kind: "MISSING_INTERNALLY",
    pspReference: `ghost-${mismatchId.slice(0, 8)}`,
    paymentId: null,
    playerId: null,
    lineNumber: 4,
    expected: null,
    actual: { minor: "500", currency: "EUR" },
    detail: "no payment has PSP reference ghost",
  };
  return { id: randomUUID(), type: "payments.reconciliation_mismatch", source: "payments", aggregateId: mismatchId, playerId: null, occurredAt: new Date().toISOString(), payload };
}

/** A `payments.reconciliation_mismatch_resolved` event as payments publishes it when finance closes a mismatch. */
export function mismatchResolvedEvent(mismatchId: string, playerId: string | null, resolution = "PSP refunded the difference on 2 Dec"): DomainEvent<{ mismatchId: string; resolvedBy: string; resolvedAt: string; resolution: string }> {
  const payload = { mismatchId, resolvedBy: randomUUID(), resolvedAt: new Date().toISOString(), resolution };
  return { id: randomUUID(), type: "payments.reconciliation_mismatch_resolved", source: "payments", aggregateId: mismatchId, playerId, occurredAt: payload.resolvedAt, payload };
}
