import { toJsonSafe } from "@casino/kernel/events/outbox";
import type { Prisma } from "./generated/prisma/client.ts";

/** Who acts: recorded in the audit log with every change. */
export type Actor = { kind: "player"; id: string } | { kind: "staff"; id: string } | { kind: "system"; id: string };

export const actorText = (a: Actor) => `${a.kind}:${a.id}`;

/** Appends one entry to the append-only audit log, inside the transaction that made the change. */
export async function appendAudit(tx: Prisma.TransactionClient, actor: Actor, action: string, playerId: string | null, details: Record<string, unknown>, now: Date): Promise<void> {
  await tx.auditLog.create({ data: { actor: actorText(actor), action, playerId, details: toJsonSafe(details) as Prisma.InputJsonObject, occurredAt: now } });
}
