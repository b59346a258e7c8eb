import type { BaseContext } from "@casino/kernel/graphql/subgraph";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { Ledger } from "./ledger/ledger.ts";
import type { WalletLoaders } from "./loaders.ts";

export interface WalletContext extends BaseContext {
  prisma: PrismaClient;
  ledger: Ledger;
  loaders: WalletLoaders;
}
