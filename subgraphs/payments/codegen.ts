import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("PaymentsContext", {
  Payment: "../generated/prisma/client.ts#Payment as PaymentModel",
  Player: "../player-reference.ts#PlayerReference",
  DepositStart: "../deposits/deposit-service.ts#StartedDeposit",
  ReconciliationRun: "../generated/prisma/client.ts#ReconciliationRun as ReconciliationRunModel",
  ReconciliationMismatch: "../generated/prisma/client.ts#ReconciliationMismatch as ReconciliationMismatchModel",
  PaymentRouteTable: "../route-table.ts#RouteTableView",
  PaymentRoute: "../routing.ts#RouteRule",
});
