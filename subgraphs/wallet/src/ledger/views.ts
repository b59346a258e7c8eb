import type { TransactionType } from "./rules.ts";

/** What the Wallet GraphQL type resolves from: the wallet row may not exist yet (opened by event). */
export interface WalletView {
  playerId: string;
  /** The player's registered currency, shown as a zero balance before the first transaction. */
  defaultCurrency: string | null;
}

/** What WalletTransaction resolves from: a stored ledger transaction (or the write path's answer). */
export interface LedgerEntry {
  id: string;
  seq: bigint;
  type: TransactionType;
  playerId: string;
  currency: string;
  idempotencyKey: string;
  /** Signed changes of the player's cash, bonus and reserved balances, and the balances after. */
  amount: bigint;
  balanceAfter: bigint;
  bonusAmount: bigint;
  bonusBalanceAfter: bigint;
  reservedAmount: bigint;
  reservedBalanceAfter: bigint;
  walletVersion: bigint;
  refKey: string | null;
  reference: unknown;
  createdAt: Date;
}
