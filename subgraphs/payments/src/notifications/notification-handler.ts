import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import { isUuid } from "@casino/kernel/ids";
import type { Logger } from "@casino/kernel/logger";
import { decideDeposit, type DepositDecision, type DepositStatus } from "../deposits/deposit-state.ts";
import { PAYMENT_COLUMNS, jsonText, type PaymentRow } from "../payment-rows.ts";
import type { Disposition, PspEvent, PspName } from "../psp/types.ts";
import { decideWithdrawal, type WithdrawalDecision, type WithdrawalStatus } from "../withdrawals/withdrawal-state.ts";

export interface NotificationHandlerDeps {
  sql: SqlExecutor;
  log: Logger;
  /** What follows a committed decision in the wallet: a deposit's credit, a withdrawal's commit or void. */
  settle: (payment: PaymentRow) => Promise<"SETTLED" | "NOT_DUE" | "RETRY" | "REFUSED">;
}

type Decision = DepositDecision | WithdrawalDecision;

function decide(payment: PaymentRow, event: PspEvent): Decision {
  return payment.direction === "DEPOSIT"
    ? decideDeposit({ ...payment, status: payment.status as DepositStatus }, event)
    : decideWithdrawal({ ...payment, status: payment.status as WithdrawalStatus }, event);
}

/**
 * Applies verified PSP notifications: decided under the payment's row lock, recorded once per PSP
 * notification id (a redelivery finds its record and changes nothing), and followed by the wallet
 * settlement when the payment reached a final state that is not settled yet (also on a
 * redelivery, so a settlement that failed is retried by the PSP's own resends). On the raw pool, in
 * one transaction of at most four statements: this is the path every PSP notification takes.
 */
export class NotificationHandler {
  constructor(private readonly deps: NotificationHandlerDeps) {}

  async handle(event: PspEvent): Promise<Disposition> {
    const { sql, log } = this.deps;
    const paymentId = isUuid(event.merchantReference) ? event.merchantReference : null;
    const payment = await sql.transaction(async (tx) => {
      const [current] = paymentId ? await tx.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payment WHERE id = $1::uuid FOR UPDATE`, [paymentId]) : [];
      const decision = current ? decide(current, event) : undefined;
      const detail = decision && (decision.outcome === "MISMATCH" || decision.outcome === "REVIEW") ? decision.detail : null;
      const inserted = await tx.query(
        `INSERT INTO psp_notification (id, psp, notification_id, payment_id, psp_type, status, amount_minor, currency, outcome, detail, raw)
         VALUES ($1::uuid, $2, $3, $4::uuid, $5, $6, $7::bigint, $8, $9::"NotificationOutcome", $10, $11::jsonb)
         ON CONFLICT (psp, notification_id) DO NOTHING RETURNING id`,
        [
          randomUUID(),
          event.psp,
          event.notificationId,
          current ? current.id : null,
          event.pspType,
          event.status,
          event.amountMinor?.toString() ?? null,
          event.currency ?? null,
          decision?.outcome ?? "UNKNOWN_PAYMENT",
          detail,
          jsonText(event.raw),
        ],
      );
      // Unknown payment, or a redelivery: decided the first time.
      if (!current || !decision || inserted.length === 0) return current;
      switch (decision.outcome) {
        case "APPLIED": {
          const failed = decision.to === "FAILED" ? (event.reason ?? event.pspType) : null;
          const [moved] = await tx.query<PaymentRow>(
            `UPDATE payment SET status = $2::"PaymentStatus", psp_reference = $3, failure_reason = COALESCE($4, failure_reason), updated_at = now()
              WHERE id = $1::uuid RETURNING ${PAYMENT_COLUMNS}`,
            [current.id, decision.to, decision.pspReference, failed],
          );
          return moved;
        }
        case "STALE":
          return current;
        case "MISMATCH":
        case "REVIEW": {
          log.error({ paymentId: current.id, psp: event.psp, notificationId: event.notificationId, detail: decision.detail }, "PSP notification needs review");
          const [flagged] = await tx.query<PaymentRow>(`UPDATE payment SET review_reason = $2, updated_at = now() WHERE id = $1::uuid RETURNING ${PAYMENT_COLUMNS}`, [
            current.id,
            `${decision.outcome}: ${decision.detail}`.slice(0, 500),
          ]);
          return flagged;
        }
        default: {
          const unreachable: never = decision;
          throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
        }
      }
    });
    if (!payment) {
      log.error({ psp: event.psp, notificationId: event.notificationId, merchantReference: event.merchantReference }, "PSP notification for an unknown payment; recorded");
      return "ACCEPTED";
    }
    return (await this.deps.settle(payment)) === "RETRY" ? "RETRY" : "ACCEPTED";
  }

  /** An authentic notification the platform does not act on: kept once, for the record. */
  async recordIgnored(psp: PspName, notificationId: string, pspType: string, raw: unknown): Promise<void> {
    await this.deps.sql.query(
      `INSERT INTO psp_notification (id, psp, notification_id, psp_type, outcome, raw) VALUES ($1::uuid, $2, $3, $4, 'IGNORED', $5::jsonb)
       ON CONFLICT (psp, notification_id) DO NOTHING`,
      [randomUUID(), psp, notificationId, pspType, jsonText(raw)],
    );
  }
}
