import { randomUUID } from "node:crypto";
import type { DomainEvent } from "@casino/kernel/events/types";
import type { WalletTransactionType } from "../../src/aggregate.ts";

/** A `player.registered` event shaped as the player service publishes it. */
export function playerRegisteredEvent(playerId: string, occurredAt: string, currency = "GBP"): DomainEvent {
  return {
    id: randomUUID(),
    type: "player.registered",
    source: "player",
    aggregateId: playerId,
    playerId,
    occurredAt,
    payload: { playerId, country: "GB", currency, dateOfBirth: "1990-04-23" },
  };
}

export interface PostedTransactionInput {
  playerId: string;
  type: WalletTransactionType;
  /** Signed change of the player's cash, minor units. */
  amountMinor: bigint;
  occurredAt: string;
  currency?: string;
}

/** A `wallet.transaction_posted` event shaped as the wallet's ledger publishes it. */
export function transactionPostedEvent(input: PostedTransactionInput): DomainEvent {
  const transactionId = randomUUID();
  return {
    id: randomUUID(),
    type: "wallet.transaction_posted",
    source: "wallet",
    aggregateId: transactionId,
    playerId: input.playerId,
    occurredAt: input.occurredAt,
    payload: {
      transactionId,
      type: input.type,
      playerId: input.playerId,
      currency: input.currency ?? "GBP",
      amountMinor: input.amountMinor.toString(),
      balanceAfterMinor: "0",
      walletVersion: "1",
      reference: {},
    },
  };
}
