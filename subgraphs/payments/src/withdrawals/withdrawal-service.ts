import { createHash, randomUUID } from "node:crypto";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import type { Logger } from "@casino/kernel/logger";
import { parseMoney } from "@casino/kernel/money";
import type { WithdrawalAnswer } from "@casino/compliance-client";
import { WalletApiError, type WalletTransactionResult } from "@casino/wallet-client";
import type { CircuitBreakers } from "../circuit-breaker.ts";
import { askComplianceOrRefuse } from "../compliance-gate.ts";
import { PAYMENT_METHODS, type CompliancePort, type WalletPort } from "../deposits/deposit-service.ts";
import { Prisma, type Payment, type PrismaClient } from "../generated/prisma/client.ts";
import { PAYMENT_COLUMNS, type PaymentRow } from "../payment-rows.ts";
import { PspUnavailableError, type PspAdapter, type PspName } from "../psp/types.ts";
import type { RoutesPort } from "../route-table.ts";
import { routeCandidates, type RiskLevel } from "../routing.ts";

export interface RequestWithdrawalInput {
  playerId: string;
  amount: { amount: string; currency: string };
  method: string;
  idempotencyKey: string;
  country?: string | null;
}

export interface WithdrawalServiceDeps {
  prisma: PrismaClient;
  sql: SqlExecutor;
  adapters: ReadonlyMap<PspName, PspAdapter>;
  routes: RoutesPort;
  breakers: CircuitBreakers<PspName>;
  wallet: WalletPort | undefined;
  /** Asked before anything is reserved; without it withdrawals are refused (fail closed). */
  compliance: CompliancePort | undefined;
  notificationUrl: (psp: PspName) => string;
  /** AML: withdrawals of at least this many minor units wait for staff (ON_HOLD); per currency, all when absent. */
  holdFromMinor: Readonly<Record<string, bigint>>;
  log: Logger;
}

const requestHash = (method: string, amountMinor: bigint, currency: string) =>
  createHash("sha256").update(JSON.stringify(["WITHDRAWAL", method, amountMinor.toString(), currency])).digest("hex");

/** The wallet keys of a withdrawal: one reservation, settled once by a commit or a void. */
export const withdrawalKeys = (paymentId: string) => ({
  reserve: `payment:${paymentId}:reserve`,
  commit: `payment:${paymentId}:commit`,
  void: `payment:${paymentId}:void`,
});

type Step = "MOVED" | "WAIT";

/**
 * Withdrawals (see withdrawal-state.ts): funds reserved in the wallet at request, held for staff
 * above the AML threshold, sent to a PSP taking the method, committed when the PSP pays, voided
 * when it fails or staff reject. Every step is idempotent (wallet keys per payment, the PSP's
 * idempotency on the payment id) and `advance` takes whatever step is due, so a step that failed
 * half-way (wallet or PSP unreachable) is simply taken again by the sweep.
 */
export class WithdrawalService {
  constructor(private readonly deps: WithdrawalServiceDeps) {}

  async request(input: RequestWithdrawalInput): Promise<Payment> {
    const { prisma } = this.deps;
    const { minor: amountMinor, currency } = parseMoney(input.amount.amount, input.amount.currency, "input.amount");
    if (amountMinor <= 0n) throw badInput("A withdrawal must be more than zero", "input.amount");
    if (!(PAYMENT_METHODS as readonly string[]).includes(input.method)) throw badInput(`Unknown payment method "${input.method}"`, "input.method");
    if (!/^[\x21-\x7e]{8,100}$/.test(input.idempotencyKey)) throw badInput("idempotencyKey must be 8 to 100 printable characters", "input.idempotencyKey");
    const key = `${input.playerId}:${input.idempotencyKey}`;
    const hash = requestHash(input.method, amountMinor, currency);
    const existing = await prisma.payment.findUnique({ where: { idempotencyKey: key } });
    if (existing) {
      if (existing.requestHash !== hash) throw appError("IDEMPOTENCY_KEY_REUSED", "This idempotencyKey was used for a different request", { field: "input.idempotencyKey" });
      return existing;
    }
    if (!this.deps.wallet) throw appError("SERVICE_UNAVAILABLE", "Withdrawals are not available: the wallet is not configured");
    const answer = await this.askCompliance(input.playerId, currency, amountMinor);
    const candidates = await this.candidates(this.deps.sql, input.method, currency, input.country ?? undefined, amountMinor, answer.riskLevel);
    if (candidates.length === 0) throw badInput(`No payment provider takes ${input.method} withdrawals in ${currency} now`, "input.method");
    const holdReason = answer.reviewRequired ? `COMPLIANCE: ${answer.reviewReasons.join(", ") || "REVIEW"}` : null;
    let payment: Payment;
    try {
      payment = await prisma.payment.create({
        data: {
          id: randomUUID(),
          playerId: input.playerId,
          direction: "WITHDRAWAL",
          status: "REQUESTED",
          amountMinor,
          currency,
          method: input.method,
          psp: candidates[0]!,
          idempotencyKey: key,
          requestHash: hash,
          holdReason,
          riskLevel: answer.riskLevel,
        },
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") return this.request(input);
      throw err;
    }
    await this.advance(payment.id, input.country ?? undefined);
    return prisma.payment.findUniqueOrThrow({ where: { id: payment.id } });
  }

  /** Staff (finance, compliance) release a held withdrawal to its PSP. */
  async approve(id: string, staffId: string): Promise<Payment> {
    await this.decideHeld(id, "APPROVED", null);
    this.deps.log.info({ paymentId: id, staffId }, "withdrawal approved");
    await this.advance(id, undefined);
    return this.deps.prisma.payment.findUniqueOrThrow({ where: { id } });
  }

  /** Staff refuse a held withdrawal: the reservation goes back to the player's cash. */
  async reject(id: string, staffId: string, reason: string): Promise<Payment> {
    const trimmed = reason.trim();
    if (trimmed.length < 3 || trimmed.length > 500) throw badInput("reason must be 3 to 500 characters", "reason");
    await this.decideHeld(id, "FAILED", `REJECTED: ${trimmed}`);
    this.deps.log.info({ paymentId: id, staffId }, "withdrawal rejected");
    await this.advance(id, undefined);
    return this.deps.prisma.payment.findUniqueOrThrow({ where: { id } });
  }

  /** Takes every step that is due now, until the withdrawal waits (for staff, the PSP, or a retry). */
  async advance(id: string, country: string | undefined): Promise<void> {
    for (let steps = 0; steps < 6; steps++) {
      const [payment] = await this.deps.sql.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payment WHERE id = $1::uuid`, [id]);
      if (!payment || payment.direction !== "WITHDRAWAL" || payment.reviewReason !== null) return;
      if ((await this.step(payment, country)) === "WAIT") return;
    }
  }

  /** Withdrawals with a step due (reservation, sending, settlement), advanced by the sweep. */
  async advanceOutstanding(limit = 100): Promise<void> {
    const due = await this.deps.sql.query<{ id: string }>(
      `SELECT id::text AS id FROM payment
        WHERE direction = 'WITHDRAWAL' AND review_reason IS NULL
          AND (status IN ('REQUESTED', 'APPROVED') OR (status IN ('PAID', 'FAILED') AND reserve_transaction_id IS NOT NULL AND wallet_transaction_id IS NULL))
        ORDER BY updated_at LIMIT $1`,
      [limit],
    );
    for (const { id } of due) await this.advance(id, undefined);
  }

  /** Settles a withdrawal a notification made final; RETRY when the wallet did not confirm. */
  async settleIfDue(payment: PaymentRow): Promise<"SETTLED" | "NOT_DUE" | "RETRY" | "REFUSED"> {
    if (payment.direction !== "WITHDRAWAL" || !["PAID", "FAILED"].includes(payment.status) || payment.reserveTransactionId === null || payment.walletTransactionId !== null) return "NOT_DUE";
    return (await this.settle(payment)) === "MOVED" ? "SETTLED" : "RETRY";
  }

  private async step(p: PaymentRow, country: string | undefined): Promise<Step> {
    switch (p.status) {
      case "REQUESTED":
        return this.reserve(p);
      case "APPROVED":
        return this.send(p, country);
      case "PAID":
      case "FAILED":
        return p.reserveTransactionId !== null && p.walletTransactionId === null ? this.settle(p) : "WAIT";
      default:
        // ON_HOLD / IN_REVIEW wait for staff, SENT for the PSP.
        return "WAIT";
    }
  }

  private async reserve(p: PaymentRow): Promise<Step> {
    let result: WalletTransactionResult;
    try {
      result = await this.deps.wallet!.post({
        type: "WITHDRAWAL_RESERVE",
        playerId: p.playerId,
        currency: p.currency,
        amount: p.amountMinor.toString(),
        idempotencyKey: withdrawalKeys(p.id).reserve,
        counterRef: p.psp,
        reference: { paymentId: p.id, psp: p.psp },
      });
    } catch (err) {
      if (err instanceof WalletApiError && err.status < 500) {
        await this.deps.sql.query(`UPDATE payment SET status = 'FAILED', failure_reason = $2, updated_at = now() WHERE id = $1::uuid AND status = 'REQUESTED'`, [p.id, err.code]);
        return "MOVED";
      }
      this.deps.log.warn({ paymentId: p.id, err: (err as Error).message }, "withdrawal reservation not confirmed by the wallet; will retry");
      return "WAIT";
    }
    // Held for staff when compliance asked for a review at request, or from payments' own threshold.
    const threshold = this.deps.holdFromMinor[p.currency];
    const overThreshold = threshold === undefined || p.amountMinor >= threshold;
    const holdReason = [p.holdReason, overThreshold ? "AML_THRESHOLD" : null].filter((r) => r !== null).join("; ") || null;
    await this.deps.sql.query(
      `UPDATE payment SET status = $2::"PaymentStatus", reserve_transaction_id = $3::uuid, hold_reason = $4, updated_at = now() WHERE id = $1::uuid AND status = 'REQUESTED'`,
      [p.id, holdReason !== null ? "ON_HOLD" : "APPROVED", result.id, holdReason],
    );
    return "MOVED";
  }

  /**
   * Hands the payout to a PSP under the payment's row lock, so two advances never send it twice
   * (a notification for it waits for the lock and then finds it SENT).
   */
  private async send(p: PaymentRow, country: string | undefined): Promise<Step> {
    const { sql, adapters, breakers, log } = this.deps;
    return sql.transaction(async (tx) => {
      const [locked] = await tx.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payment WHERE id = $1::uuid FOR UPDATE`, [p.id]);
      if (!locked || locked.status !== "APPROVED") return "MOVED";
      const { method, riskLevel } = (await tx.query<{ method: string; riskLevel: RiskLevel | null }>(`SELECT method, risk_level AS "riskLevel" FROM payment WHERE id = $1::uuid`, [p.id]))[0]!;
      const candidates = await this.candidates(tx, method, p.currency, country, p.amountMinor, riskLevel);
      // The PSP chosen at request first (its reservation names it), then the others for the method.
      const ordered = [p.psp as PspName, ...candidates.filter((c) => c !== p.psp)].filter((psp) => adapters.has(psp));
      for (const psp of ordered) {
        if (!breakers.tryAcquire(psp)) continue;
        try {
          const result = await adapters.get(psp)!.initiate({
            kind: "PAYOUT",
            merchantReference: p.id,
            playerId: p.playerId,
            amountMinor: p.amountMinor,
            currency: p.currency,
            country,
            idempotencyKey: p.id,
            notificationUrl: this.deps.notificationUrl(psp),
          });
          breakers.succeeded(psp);
          await tx.query(
            `UPDATE payment SET status = $2::"PaymentStatus", psp = $3, psp_reference = $4, failure_reason = $5, updated_at = now() WHERE id = $1::uuid`,
            [p.id, result.status === "FAILED" ? "FAILED" : "SENT", psp, result.pspReference || null, result.status === "FAILED" ? (result.declineReason ?? "DECLINED") : null],
          );
          return "MOVED";
        } catch (err) {
          if (err instanceof PspUnavailableError) {
            breakers.failed(psp);
            log.warn({ paymentId: p.id, psp, err: err.message }, "PSP unavailable for a payout; trying the next one for this method");
            continue;
          }
          breakers.succeeded(psp);
          log.error({ paymentId: p.id, psp, err }, "PSP refused the payout request");
          await tx.query(`UPDATE payment SET status = 'FAILED', failure_reason = 'PSP_REFUSED', updated_at = now() WHERE id = $1::uuid`, [p.id]);
          return "MOVED";
        }
      }
      // No PSP could take it now: it stays APPROVED and the sweep sends it later.
      log.warn({ paymentId: p.id }, "no PSP available for a payout; will retry");
      return "WAIT";
    });
  }

  /** Commits (paid) or voids (failed) the reservation, exactly once. */
  private async settle(p: PaymentRow): Promise<Step> {
    const keys = withdrawalKeys(p.id);
    const paid = p.status === "PAID";
    let result: WalletTransactionResult;
    try {
      result = await this.deps.wallet!.post({
        type: paid ? "WITHDRAWAL_COMMIT" : "WITHDRAWAL_VOID",
        playerId: p.playerId,
        currency: p.currency,
        amount: paid ? p.amountMinor.toString() : "0",
        idempotencyKey: paid ? keys.commit : keys.void,
        refKey: keys.reserve,
        counterRef: p.psp,
        reference: { paymentId: p.id, psp: p.psp, pspReference: p.pspReference },
      });
    } catch (err) {
      if (err instanceof WalletApiError && err.status < 500) {
        this.deps.log.error({ paymentId: p.id, code: err.code }, "the wallet refused to settle a withdrawal");
        await this.deps.sql.query(`UPDATE payment SET review_reason = $2, updated_at = now() WHERE id = $1::uuid`, [p.id, `WALLET_REFUSED: ${err.code}`]);
        return "WAIT";
      }
      this.deps.log.warn({ paymentId: p.id, err: (err as Error).message }, "withdrawal settlement not confirmed by the wallet; will retry");
      return "WAIT";
    }
    await this.deps.sql.query(`UPDATE payment SET wallet_transaction_id = $2::uuid, credited_at = $3::timestamptz, updated_at = now() WHERE id = $1::uuid AND wallet_transaction_id IS NULL`, [
      p.id,
      result.id,
      result.createdAt,
    ]);
    return "MOVED";
  }

  private async decideHeld(id: string, to: "APPROVED" | "FAILED", failureReason: string | null): Promise<void> {
    const moved = await this.deps.sql.query<{ id: string }>(
      `UPDATE payment SET status = $2::"PaymentStatus", failure_reason = COALESCE($3, failure_reason), updated_at = now()
        WHERE id = $1::uuid AND direction = 'WITHDRAWAL' AND status IN ('ON_HOLD', 'IN_REVIEW') RETURNING id::text AS id`,
      [id, to, failureReason],
    );
    if (moved.length === 1) return;
    const exists = await this.deps.prisma.payment.findFirst({ where: { id, direction: "WITHDRAWAL" } });
    if (!exists) throw notFound("Withdrawal");
    throw appError("CONFLICT", `The withdrawal is ${exists.status}; only a held withdrawal can be approved or rejected`);
  }

  /**
   * Compliance first (before anything is reserved): refused withdrawals are FORBIDDEN with its
   * reasons; no answer refuses the withdrawal (fail closed). A self-exclusion or time-out does not
   * refuse a withdrawal: compliance decides that, payments only acts on the answer.
   */
  private askCompliance(playerId: string, currency: string, amountMinor: bigint): Promise<WithdrawalAnswer> {
    const compliance = this.deps.compliance;
    return askComplianceOrRefuse("withdrawal", compliance && (() => compliance.withdrawal({ playerId, currency, amountMinor })), this.deps.log, playerId);
  }

  /** The rules are read with `sql` (the payout's transaction holds the connection in embedded mode). */
  private async candidates(sql: SqlExecutor, method: string, currency: string, country: string | undefined, amountMinor: bigint, riskLevel: RiskLevel | null): Promise<PspName[]> {
    const rules = await this.deps.routes.rules(sql);
    return routeCandidates(rules, (psp, m) => this.deps.adapters.get(psp)?.methods.includes(m) ?? false, { method, currency, country, amountMinor, riskLevel });
  }
}
