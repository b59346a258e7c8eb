import { assertCurrency } from "@casino/kernel/money";
import type { QueryResolvers } from "../generated/graphql.ts";
import { auditLedger } from "../ledger/audit.ts";
import { balanceUpdatePayload } from "../ledger/ledger.ts";

export const Query: QueryResolvers = {
  walletOfPlayer: async (_parent, { playerId }, ctx) => {
    const wallet = await ctx.loaders.walletByPlayer.load(playerId);
    return wallet ? { playerId, defaultCurrency: wallet.defaultCurrency } : null;
  },
  balanceOfPlayer: async (_parent, { playerId, currency }, ctx) => {
    const wallet = await ctx.loaders.walletByPlayer.load(playerId);
    if (!wallet) return null;
    const accounts = wallet.accounts;
    const wanted = currency ? assertCurrency(currency) : wallet.defaultCurrency;
    const cash = accounts.filter((a) => a.type === "PLAYER_CASH");
    const changed = cash.find((a) => a.currency === wanted);
    return balanceUpdatePayload({
      playerId,
      version: wallet.version,
      changed: { minor: changed?.balance ?? 0n, currency: wanted },
      balances: cash.map((a) => ({ minor: a.balance, currency: a.currency })),
      bonusBalances: accounts.filter((a) => a.type === "PLAYER_BONUS").map((a) => ({ minor: a.balance, currency: a.currency })),
    });
  },
  ledgerAudit: (_parent, _args, ctx) => auditLedger(ctx.prisma),
};
