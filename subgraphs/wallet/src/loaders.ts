import DataLoader from "dataloader";
import type { Account, PrismaClient, Wallet } from "./generated/prisma/client.ts";

export interface WalletLoaders {
  walletByPlayer: DataLoader<string, Wallet | null>;
  cashAccountsByPlayer: DataLoader<string, Account[]>;
}

export function createLoaders(prisma: PrismaClient): WalletLoaders {
  return {
    walletByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.wallet.findMany({ where: { playerId: { in: [...ids] } } });
      const byId = new Map(rows.map((w) => [w.playerId, w]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    cashAccountsByPlayer: new DataLoader(async (ids) => {
      const rows = await prisma.account.findMany({
        where: { playerId: { in: [...ids] }, type: "PLAYER_CASH" },
        orderBy: { currency: "asc" },
      });
      return ids.map((id) => rows.filter((a) => a.playerId === id));
    }),
  };
}
