import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("WalletContext", {
  WalletTransaction: "../ledger/views.ts#LedgerEntry",
  Wallet: "../ledger/views.ts#WalletView",
});
