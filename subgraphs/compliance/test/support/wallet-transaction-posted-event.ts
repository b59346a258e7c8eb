import { randomUUID } from "node:crypto";
import type { DomainEvent } from "@casino/kernel/events/types";

export interface TransactionPostedPayload {
  transactionId: string;
  type: string;
  playerId: string;
  currency: string;
  amountMinor: string;
  reservedAmountMinor: string;
}

/**
 * A `wallet.transaction_posted` event as the wallet publishes it: a deposit's cash, or a
 * withdrawal commit paying out `amountMinor` from the reservation.
 */
export function transactionPostedEvent(playerId: string, direction: "DEPOSIT" | "WITHDRAWAL", amountMinor: bigint, occurredAt: Date): DomainEvent<TransactionPostedPayload> {
  const transactionId = randomUUID();
  const payload =
    direction === "DEPOSIT"
      ? { transactionId, type: "DEPOSIT", playerId, currency: "GBP", amountMinor: amountMinor.toString(), reservedAmountMinor: "0" }
      : { transactionId, type: "WITHDRAWAL_COMMIT", playerId, currency: "GBP", amountMinor: "0", reservedAmountMinor: (-amountMinor).toString() };
  return { id: randomUUID(), type: "wallet.transaction_posted", source: "wallet", aggregateId: playerId, playerId, occurredAt: occurredAt.toISOString(), payload };
}
