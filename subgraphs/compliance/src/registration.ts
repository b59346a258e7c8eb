import { z } from "@casino/kernel/config";
import type { Prisma } from "./generated/prisma/client.ts";
import { recordRestrictionsChanged } from "./restrictions-changed.ts";
import { assessedView } from "./views.ts";

type Tx = Prisma.TransactionClient;

const isoDate = z.string().refine((raw) => {
  const date = new Date(`${raw}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(raw) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(raw);
}, "must be a calendar date yyyy-mm-dd");

/** The payload of `player.registered` as the player service writes it (auth-service.ts). */
export const playerRegisteredSchema = z.object({
  playerId: z.uuid(),
  country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code"),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  dateOfBirth: isoDate,
});

export type PlayerRegistered = z.infer<typeof playerRegisteredSchema>;

/**
 * Opens a registered player's restrictions in the player's country and records the first decision
 * as `compliance.restrictions_changed`, inside the caller's transaction (the consumer's dedupe
 * transaction). A player already known under another event id is left as it is.
 */
export async function openRestrictions(tx: Tx, registration: PlayerRegistered, now: Date): Promise<void> {
  const { playerId, country: jurisdiction } = registration;
  const created = await tx.playerRestrictions.createMany({
    data: [{ playerId, jurisdiction, currency: registration.currency, dateOfBirth: new Date(`${registration.dateOfBirth}T00:00:00Z`) }],
    skipDuplicates: true,
  });
  if (created.count === 0) return;
  const row = await tx.playerRestrictions.findUniqueOrThrow({ where: { playerId } });
  const view = assessedView(row, await tx.ruleSet.findMany({ where: { jurisdiction } }), now);
  await recordRestrictionsChanged(tx, view, "PLAYER_REGISTERED", now);
}
