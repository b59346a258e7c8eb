import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("WalletContext", {
  WalletTransaction: "../generated/prisma/client.ts#LedgerTransaction as LedgerTransactionModel",
  Wallet: "../ledger/views.ts#WalletView",
});
