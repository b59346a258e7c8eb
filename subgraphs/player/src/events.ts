import { outboxRow, type OutboxRowData } from "@casino/kernel/events/outbox";
import type { PlayerStatus } from "./account-status.ts";
import { verificationFlags, type KycStatus } from "./kyc/lifecycle.ts";
import type { GamstopScreening } from "./gamstop-screen.ts";
import type { ProfileFields } from "./profile.ts";

/**
 * The player service's events, written to the outbox in the transaction of the change they report.
 * Payload members are stable names other services parse; add members, never rename them.
 */
export interface PlayerRegisteredPayload extends ProfileFields {
  playerId: string;
  email: string;
  country: string;
  currency: string;
  /** yyyy-mm-dd */
  dateOfBirth: string;
  /** The GAMSTOP screening made at registration; null when there was none (details missing, or no compliance configured). */
  gamstop: GamstopScreening | null;
}

export interface PlayerProfileUpdatedPayload {
  playerId: string;
  firstName: string | null;
  lastName: string | null;
  postcode: string | null;
  dateOfBirth: string;
  country: string;
  email: string;
}

export interface PlayerKycChangedPayload {
  playerId: string;
  kycStatus: KycStatus;
  ageVerified: boolean;
  identityVerified: boolean;
  changedAt: string;
}

export interface PlayerStatusChangedPayload {
  playerId: string;
  status: PlayerStatus;
  reason: string;
  changedAt: string;
}

const event = (type: string, playerId: string, payload: object): OutboxRowData => outboxRow({ type, aggregateId: playerId, playerId, payload });

export const isoDate = (date: Date) => date.toISOString().slice(0, 10);

export const playerRegistered = (payload: PlayerRegisteredPayload) => event("player.registered", payload.playerId, payload);

export function playerProfileUpdated(player: ProfileFields & { id: string; email: string; dateOfBirth: Date; country: string }): OutboxRowData {
  const payload: PlayerProfileUpdatedPayload = {
    playerId: player.id,
    firstName: player.firstName,
    lastName: player.lastName,
    postcode: player.postcode,
    dateOfBirth: isoDate(player.dateOfBirth),
    country: player.country,
    email: player.email,
  };
  return event("player.profile_updated", player.id, payload);
}

export function playerKycChanged(playerId: string, kycStatus: KycStatus, changedAt: Date): OutboxRowData {
  const payload: PlayerKycChangedPayload = { playerId, kycStatus, ...verificationFlags(kycStatus), changedAt: changedAt.toISOString() };
  return event("player.kyc_changed", playerId, payload);
}

export function playerStatusChanged(playerId: string, status: PlayerStatus, reason: string, changedAt: Date): OutboxRowData {
  const payload: PlayerStatusChangedPayload = { playerId, status, reason, changedAt: changedAt.toISOString() };
  return event("player.status_changed", playerId, payload);
}
