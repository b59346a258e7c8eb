import { badInput } from "@casino/kernel/errors";
import { assertCurrency, toGraphQLMoney } from "@casino/kernel/money";
import type { WalletResolvers } from "../generated/graphql.ts";
import type { AccountType } from "../ledger/rules.ts";
import type { WalletView } from "../ledger/views.ts";
import type { WalletContext } from "../context.ts";

const encodeCursor = (seq: bigint) => Buffer.from(`seq:${seq}`).toString("base64url");
function decodeCursor(cursor: string): bigint {
  const match = /^seq:(\d{1,19})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!match?.[1]) throw badInput("Invalid cursor", "after");
  return BigInt(match[1]);
}

/** The wallet's balances of one account type; the registered currency shows as zero until first used. */
async function balancesOf(view: WalletView, type: AccountType, ctx: WalletContext) {
  const accounts = ((await ctx.loaders.walletByPlayer.load(view.playerId))?.accounts ?? []).filter((a) => a.type === type);
  const balances = accounts.map((a) => toGraphQLMoney(a.balance, a.currency));
  if (view.defaultCurrency && !accounts.some((a) => a.currency === view.defaultCurrency)) {
    balances.unshift(toGraphQLMoney(0n, view.defaultCurrency));
  }
  return balances;
}

export const Wallet: WalletResolvers = {
  __resolveReference: async (ref, ctx) => {
    const wallet = await ctx.loaders.walletByPlayer.load(ref.playerId);
    return { playerId: ref.playerId, defaultCurrency: wallet?.defaultCurrency ?? null };
  },
  balances: (view, _args, ctx) => balancesOf(view, "PLAYER_CASH", ctx),
  bonusBalances: (view, _args, ctx) => balancesOf(view, "PLAYER_BONUS", ctx),
  reservedBalances: (view, _args, ctx) => balancesOf(view, "PLAYER_RESERVED", ctx),
  version: async (view, _args, ctx) => Number((await ctx.loaders.walletByPlayer.load(view.playerId))?.version ?? 0n),
  transactions: async (view, { first, after, filter }, ctx) => {
    const take = first ?? 20;
    if (take < 1 || take > 100) throw badInput("first must be between 1 and 100", "first");
    const rows = await ctx.prisma.ledgerTransaction.findMany({
      where: {
        playerId: view.playerId,
        ...(after ? { seq: { lt: decodeCursor(after) } } : {}),
        ...(filter?.types?.length ? { type: { in: filter.types } } : {}),
        ...(filter?.currency ? { currency: assertCurrency(filter.currency) } : {}),
      },
      orderBy: { seq: "desc" },
      take: take + 1,
    });
    const edges = rows.slice(0, take).map((node) => ({ cursor: encodeCursor(node.seq), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
  },
};
