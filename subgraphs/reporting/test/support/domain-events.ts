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
  /** Signed change of the player's bonus balance; left out of the payload when undefined, as in old events. */
  bonusAmountMinor?: bigint;
  /** Signed change of the funds reserved for withdrawals; left out of the payload when undefined, as in old events. */
  reservedAmountMinor?: bigint;
  occurredAt: string;
  currency?: string;
}

/**
 * A `wallet.transaction_posted` event shaped as the wallet's ledger publishes it; without the bonus
 * and reserved changes, shaped as events published before those accounts existed.
 */
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
      ...(input.bonusAmountMinor === undefined ? {} : { bonusAmountMinor: input.bonusAmountMinor.toString(), bonusBalanceAfterMinor: "0" }),
      ...(input.reservedAmountMinor === undefined ? {} : { reservedAmountMinor: input.reservedAmountMinor.toString() }),
      balanceAfterMinor: "0",
      walletVersion: "1",
      reference: {},
    },
  };
}
