/** What the Wallet GraphQL type resolves from: the wallet row may not exist yet (opened by event). */
export interface WalletView {
  playerId: string;
  /** The player's registered currency, shown as a zero balance before the first transaction. */
  defaultCurrency: string | null;
}
