import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import type { PaymentsContext } from "./context.ts";

/** Payments are read by their player and by staff who handle players' money or their cases. */
const PAYMENT_STAFF = ["support", "finance", "compliance"] as const;

export const canReadPayment = allow.ownerOrStaff((parent) => (parent as { playerId?: string }).playerId, ...PAYMENT_STAFF);

/** Every field of the payments subgraph and who may resolve it (deny by default). */
export const policies: Record<string, Policy<PaymentsContext>> = {
  // The owner is only known once the payment is loaded: the resolver applies canReadPayment to it.
  "Query.payment": allow.authenticated,
  "Query.payments": allow.staff(...PAYMENT_STAFF),
  "Mutation.startDeposit": allow.player,
  "Mutation.requestWithdrawal": allow.player,
  // Releasing money or refusing it is for those who answer for money and AML.
  "Mutation.approveWithdrawal": allow.staff("finance", "compliance"),
  "Mutation.rejectWithdrawal": allow.staff("finance", "compliance"),
  "Payment.reviewReason": allow.staff(...PAYMENT_STAFF),
  "Payment.holdReason": allow.staff(...PAYMENT_STAFF),
  "Mutation.importSettlementFile": allow.staff("finance"),
  "Query.reconciliationRuns": allow.staff("finance", "compliance"),
  "Query.reconciliationRun": allow.staff("finance", "compliance"),
  "Query.openReconciliationMismatches": allow.staff("finance", "compliance"),
  "Mutation.resolveReconciliationMismatch": allow.staff("finance"),
  "Query.paymentRoutes": allow.staff("finance", "compliance", "admin"),
  "Mutation.setPaymentRoutes": allow.staff("admin", "finance"),
  "PaymentRouteTable.*": allow.inherited,
  "PaymentRoute.*": allow.inherited,
  "ReconciliationRun.*": allow.inherited,
  "ReconciliationMismatch.*": allow.inherited,
  "ReconciliationRunConnection.*": allow.inherited,
  "ReconciliationRunEdge.*": allow.inherited,
  "DepositStart.*": allow.inherited,
  "PaymentNextAction.*": allow.inherited,
  "Payment.*": canReadPayment,
  "Player.id": allow.inherited,
  "Player.payments": allow.ownerOrStaff((parent) => (parent as { id?: string }).id, ...PAYMENT_STAFF),
  "PaymentConnection.*": allow.inherited,
  "PaymentEdge.*": allow.inherited,
  "PageInfo.*": allow.inherited,
  "Money.*": allow.inherited,
};
