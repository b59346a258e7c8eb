import { randomUUID } from "node:crypto";
import type { TestService } from "@casino/kernel/testing/service-harness";
import type { WalletCommand } from "@casino/wallet-client";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { Ledger } from "../../src/ledger/ledger.ts";

/** Opens a wallet the way the player.registered consumer does, without waiting for the bus. */
export async function createWallet(svc: TestService<PrismaClient>, currency = "GBP", playerId: string = randomUUID()): Promise<string> {
  const ledger = new Ledger(svc.runtime.prisma, svc.runtime.db.sql, () => undefined);
  await svc.runtime.prisma.$transaction((tx) => ledger.openWallet(tx, playerId, currency));
  return playerId;
}

export const countTransactions = (svc: TestService<PrismaClient>, playerId: string) =>
  svc.runtime.prisma.ledgerTransaction.count({ where: { playerId } });

/** The base URL of the wallet process (its internal API lives beside /graphql). */
export const walletBaseUrl = (svc: TestService<PrismaClient>) => svc.url.replace(/\/graphql$/, "");

/** A STAKE command of the internal API as the games service posts it (GBP, amount in minor units); `extra` adds or overrides fields. */
export const stakeCommand = (playerId: string, amount: string, idempotencyKey: string = `k-${randomUUID()}`, extra: Partial<WalletCommand> = {}): WalletCommand => ({
  type: "STAKE",
  playerId,
  currency: "GBP",
  amount,
  idempotencyKey,
  counterRef: "hub88",
  ...extra,
});
