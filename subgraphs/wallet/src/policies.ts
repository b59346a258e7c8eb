import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import type { WalletContext } from "./context.ts";

const walletOwner = (parent: unknown) => (parent as { playerId?: string }).playerId;
const ownWallet = allow.ownerOrStaff(walletOwner, "support", "finance", "compliance");
const ownPlayerArg = allow.ownerOrStaff((_parent, args) => args.playerId as string, "support", "finance", "compliance");

/** Every field of the wallet subgraph and who may resolve it (deny by default). */
export const policies: Record<string, Policy<WalletContext>> = {
  "Query.walletOfPlayer": allow.staff("support", "finance", "compliance"),
  "Query.balanceOfPlayer": ownPlayerArg,
  "Query.ledgerAudit": allow.staff("finance", "compliance"),
  "Mutation.adjustBalance": allow.staff("finance"),
  "Mutation.grantBonus": allow.staff("finance"),
  "Mutation.forfeitBonus": allow.staff("finance"),
  "Subscription.balanceChanged": allow.player,
  "Player.id": allow.inherited,
  "Player.currency": allow.inherited,
  "Player.wallet": allow.ownerOrStaff((parent) => (parent as { id?: string }).id, "support", "finance", "compliance"),
  "Wallet.playerId": ownWallet,
  "Wallet.balances": ownWallet,
  "Wallet.bonusBalances": ownWallet,
  "Wallet.reservedBalances": ownWallet,
  "Wallet.version": ownWallet,
  "Wallet.transactions": ownWallet,
  "WalletTransaction.*": ownWallet,
  "WalletTransactionConnection.*": allow.inherited,
  "WalletTransactionEdge.*": allow.inherited,
  "PageInfo.*": allow.inherited,
  "Money.*": allow.inherited,
  "BalanceUpdate.*": allow.inherited,
  "LedgerAudit.*": allow.inherited,
  "LedgerMismatch.*": allow.inherited,
};
