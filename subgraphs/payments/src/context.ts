import type { BaseContext } from "@casino/kernel/graphql/subgraph";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { DepositService } from "./deposits/deposit-service.ts";
import type { PaymentsLoaders } from "./loaders.ts";
import type { RouteTable } from "./route-table.ts";
import type { ReconciliationService } from "./reconciliation/reconciliation-service.ts";
import type { WithdrawalService } from "./withdrawals/withdrawal-service.ts";

export interface PaymentsContext extends BaseContext {
  prisma: PrismaClient;
  loaders: PaymentsLoaders;
  deposits: DepositService;
  withdrawals: WithdrawalService;
  reconciliation: ReconciliationService;
  routes: RouteTable;
}
