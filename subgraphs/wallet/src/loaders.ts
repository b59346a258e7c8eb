import DataLoader from "dataloader";
import type { Account, PrismaClient, Wallet } from "./generated/prisma/client.ts";

export interface WalletLoaders {
  walletByPlayer: DataLoader<string, Wallet | null>;
  /** The player's cash, bonus and reserved accounts in every currency, by currency. */
  accountsByPlayer: DataLoader<string, Account[]>;
}

export function createLoaders(prisma: PrismaClient): WalletLoaders {
  return {
    walletByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.wallet.findMany({ where: { playerId: { in: [...ids] } } });
      const byId = new Map(rows.map((w) => [w.playerId, w]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    accountsByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.account.findMany({ where: { playerId: { in: [...ids] } }, orderBy: { currency: "asc" } });
      const byPlayer = new Map<string, Account[]>(ids.map((id) => [id, []]));
      for (const row of rows) byPlayer.get(row.playerId!)?.push(row);
      return ids.map((id) => byPlayer.get(id)!);
    }),
  };
}
