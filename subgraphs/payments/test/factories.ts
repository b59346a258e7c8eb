import { randomUUID } from "node:crypto";
import type { Payment, PrismaClient } from "../src/generated/prisma/client.ts";

/**
 * Writes one payment row as the PSP flows will: a card deposit of 12.50 GBP by a new player unless
 * `overrides` say otherwise.
 */
export function createPayment(prisma: PrismaClient, overrides: Partial<Omit<Payment, "nextAction">> = {}): Promise<Payment> {
  return prisma.payment.create({
    data: {
      id: randomUUID(),
      playerId: randomUUID(),
      direction: "DEPOSIT",
      status: "SUCCEEDED",
      amountMinor: 1250n,
      currency: "GBP",
      method: "card",
      psp: "stripe",
      pspReference: `pi_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
      idempotencyKey: `deposit:${randomUUID()}`,
      // A withdrawal past REQUESTED has its reservation in the wallet (a CHECK insists).
      reserveTransactionId: overrides.direction === "WITHDRAWAL" && !["REQUESTED", "FAILED"].includes(overrides.status ?? "") ? randomUUID() : null,
      ...overrides,
    },
  });
}
