import { randomUUID } from "node:crypto";
import type { DomainEvent } from "@casino/kernel/events/types";
import { waitUntil } from "@casino/kernel/testing/wait-until";

export interface PlayerRegisteredPayload {
  playerId: string;
  country: string;
  currency: string;
  dateOfBirth: string;
  /** What a GAMSTOP check needs; null when the player did not give it at registration. */
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  postcode: string | null;
}

/** A `player.registered` event shaped as the player service publishes it. */
export function playerRegisteredEvent(overrides: Partial<PlayerRegisteredPayload> = {}): DomainEvent<PlayerRegisteredPayload> {
  const playerId = overrides.playerId ?? randomUUID();
  const payload = {
    playerId,
    country: "GB",
    currency: "GBP",
    dateOfBirth: "1990-04-23",
    firstName: "Ann",
    lastName: "Tester",
    email: `${playerId}@example.com`,
    postcode: "SW1A 1AA",
    ...overrides,
  };
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

/** Waits until compliance has the player's restrictions and has screened them against GAMSTOP. */
export async function waitUntilScreened(prisma: { playerRestrictions: { findUnique(args: { where: { playerId: string } }): Promise<{ gamstopStatus: string } | null> } }, playerId: string): Promise<void> {
  await waitUntil("GAMSTOP screening", async () => {
    const row = await prisma.playerRestrictions.findUnique({ where: { playerId } });
    return row !== null && row.gamstopStatus !== "NOT_CHECKED";
  });
}
