import { randomUUID } from "node:crypto";
import type { DomainEvent } from "@casino/kernel/events/types";

export interface PlayerRegisteredPayload {
  playerId: string;
  country: string;
  currency: string;
  dateOfBirth: string;
}

/** A `player.registered` event shaped as the player service publishes it. */
export function playerRegisteredEvent(overrides: Partial<PlayerRegisteredPayload> = {}): DomainEvent<PlayerRegisteredPayload> {
  const payload = { playerId: randomUUID(), country: "GB", currency: "GBP", dateOfBirth: "1990-04-23", ...overrides };
  return {
    id: randomUUID(),
    type: "player.registered",
    source: "player",
    aggregateId: payload.playerId,
    playerId: payload.playerId,
    occurredAt: new Date().toISOString(),
    payload,
  };
}
