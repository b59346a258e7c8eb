import { createHash, randomUUID } from "node:crypto";
import type { DepositAnswer, WithdrawalAnswer } from "@casino/compliance-client";
import { appError, badInput } from "@casino/kernel/errors";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import type { Logger } from "@casino/kernel/logger";
import { parseMoney } from "@casino/kernel/money";
import { WalletApiError, type WalletCommand, type WalletTransactionResult } from "@casino/wallet-client";
import type { CircuitBreakers } from "../circuit-breaker.ts";
import { askComplianceOrRefuse } from "../compliance-gate.ts";
import { Prisma, type Payment, type PrismaClient } from "../generated/prisma/client.ts";
import type { RoutesPort } from "../route-table.ts";
import { routeCandidates } from "../routing.ts";
import { PspUnavailableError, type InitiateResult, type PspAdapter, type PspName } from "../psp/types.ts";
import type { PaymentRow } from "../payment-rows.ts";
import type { DepositStatus } from "./deposit-state.ts";

export interface WalletPort {
  post(command: WalletCommand): Promise<WalletTransactionResult>;
}
export interface CompliancePort {
  deposit(input: { playerId: string; currency: string; amountMinor: bigint }): Promise<DepositAnswer>;
  withdrawal(input: { playerId: string; currency: string; amountMinor: bigint }): Promise<WithdrawalAnswer>;
}

export const PAYMENT_METHODS = ["card", "bank_transfer"] as const;

export interface StartDepositInput {
  playerId: string;
  amount: { amount: string; currency: string };
  method: string;
  /** The client's key: the same key with the same input returns the same deposit. */
  idempotencyKey: string;
  country?: string | null;
}

export interface StartedDeposit {
  payment: Payment;
  nextAction: InitiateResult["nextAction"];
}

export interface DepositServiceDeps {
  prisma: PrismaClient;
  /** The raw pool, for the notification path. */
  sql: SqlExecutor;
  adapters: ReadonlyMap<PspName, PspAdapter>;
  routes: RoutesPort;
  breakers: CircuitBreakers<PspName>;
  wallet: WalletPort | undefined;
  compliance: CompliancePort | undefined;
  /** The URL a PSP posts its notifications to. */
  notificationUrl: (psp: PspName) => string;
  log: Logger;
}

const requestHash = (method: string, amountMinor: bigint, currency: string) =>
  createHash("sha256").update(JSON.stringify(["DEPOSIT", method, amountMinor.toString(), currency])).digest("hex");

/** The wallet's key for a deposit's credit: one per payment, whoever asks and however often. */
export const depositCreditKey = (paymentId: string) => `payment:${paymentId}:deposit`;

/**
 * Deposits: placed with a PSP after compliance allows them, moved on by the PSP's notifications
 * (decideDeposit), and credited to the wallet exactly once when they succeed.
 */
export class DepositService {
  constructor(private readonly deps: DepositServiceDeps) {}

  async start(input: StartDepositInput): Promise<StartedDeposit> {
    const { prisma, log } = this.deps;
    const { minor: amountMinor, currency } = parseMoney(input.amount.amount, input.amount.currency, "input.amount");
    if (amountMinor <= 0n) throw badInput("A deposit must be more than zero", "input.amount");
    if (!(PAYMENT_METHODS as readonly string[]).includes(input.method)) throw badInput(`Unknown payment method "${input.method}"`, "input.method");
    if (!/^[\x21-\x7e]{8,100}$/.test(input.idempotencyKey)) throw badInput("idempotencyKey must be 8 to 100 printable characters", "input.idempotencyKey");
    const key = `${input.playerId}:${input.idempotencyKey}`;
    const hash = requestHash(input.method, amountMinor, currency);

    const replay = await this.replay(key, hash);
    if (replay) return replay;

    const answer = await this.askCompliance(input.playerId, currency, amountMinor);
    const country = input.country ?? undefined;
    const candidates = routeCandidates(await this.deps.routes.rules(), (psp, method) => this.deps.adapters.get(psp)?.methods.includes(method) ?? false, {
      method: input.method,
      currency,
      country,
      amountMinor,
      riskLevel: answer.riskLevel,
    });
    if (candidates.length === 0) throw badInput(`No payment provider takes ${input.method} deposits in ${currency} now`, "input.method");

    let payment: Payment;
    try {
      payment = await prisma.payment.create({
        data: {
          id: randomUUID(),
          playerId: input.playerId,
          direction: "DEPOSIT",
          status: "INITIATED",
          amountMinor,
          currency,
          method: input.method,
          psp: candidates[0]!,
          idempotencyKey: key,
          requestHash: hash,
          riskLevel: answer.riskLevel,
        },
      });
    } catch (err) {
      // The same key sent twice at once: the other request made the deposit.
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
        const raced = await this.replay(key, hash);
        if (raced) return raced;
      }
      throw err;
    }

    const breakers = this.deps.breakers;
    for (const psp of candidates) {
      const adapter = this.deps.adapters.get(psp)!;
      if (!breakers.tryAcquire(psp)) {
        log.info({ paymentId: payment.id, psp }, "PSP circuit open; trying the next one for this method");
        continue;
      }
      if (psp !== payment.psp) payment = await prisma.payment.update({ where: { id: payment.id }, data: { psp } });
      try {
        const result = await adapter.initiate({
          kind: "DEPOSIT",
          merchantReference: payment.id,
          playerId: payment.playerId,
          amountMinor,
          currency,
          country,
          idempotencyKey: payment.id,
          notificationUrl: this.deps.notificationUrl(psp),
        });
        breakers.succeeded(psp);
        return { payment: await this.recordInitiation(payment.id, result), nextAction: result.nextAction };
      } catch (err) {
        if (err instanceof PspUnavailableError) {
          breakers.failed(psp);
          log.warn({ paymentId: payment.id, psp, err: err.message }, "PSP unavailable; trying the next one for this method");
          continue;
        }
        // It answered: the PSP is up, the request was wrong.
        breakers.succeeded(psp);
        log.error({ paymentId: payment.id, psp, err }, "PSP refused the deposit request");
        return { payment: await this.fail(payment.id, "PSP_REFUSED"), nextAction: undefined };
      }
    }
    return { payment: await this.fail(payment.id, "PSP_UNAVAILABLE"), nextAction: undefined };
  }

  /** Deposits that succeeded but are not credited yet (the wallet was down): credited now. */
  async creditOutstanding(limit = 100): Promise<number> {
    const due = await this.deps.prisma.payment.findMany({
      where: { direction: "DEPOSIT", status: "SUCCEEDED", walletTransactionId: null, reviewReason: null },
      orderBy: { updatedAt: "asc" },
      take: limit,
    });
    let credited = 0;
    for (const payment of due) if ((await this.creditIfDue(payment)) === "CREDITED") credited += 1;
    return credited;
  }

  /** Credits a succeeded deposit not yet credited; RETRY when the wallet did not confirm it. */
  async creditIfDue(payment: Omit<PaymentRow, "reserveTransactionId">): Promise<"CREDITED" | "NOT_DUE" | "RETRY" | "REFUSED"> {
    if (payment.direction !== "DEPOSIT" || payment.status !== "SUCCEEDED" || payment.walletTransactionId !== null || payment.reviewReason !== null) return "NOT_DUE";
    const { wallet, sql, log } = this.deps;
    if (!wallet) {
      log.error({ paymentId: payment.id }, "WALLET_URL not set: a succeeded deposit cannot be credited");
      return "RETRY";
    }
    let result: WalletTransactionResult;
    try {
      result = await wallet.post({
        type: "DEPOSIT",
        playerId: payment.playerId,
        currency: payment.currency,
        amount: payment.amountMinor.toString(),
        idempotencyKey: depositCreditKey(payment.id),
        counterRef: payment.psp,
        reference: { paymentId: payment.id, psp: payment.psp, pspReference: payment.pspReference },
      });
    } catch (err) {
      if (err instanceof WalletApiError && err.status < 500) {
        // The wallet will refuse it again (no wallet, another currency): the money is at the PSP, a person must act.
        log.error({ paymentId: payment.id, code: err.code }, "the wallet refused a deposit credit");
        await sql.query(`UPDATE payment SET review_reason = $2, updated_at = now() WHERE id = $1::uuid`, [payment.id, `WALLET_REFUSED: ${err.code}`]);
        return "REFUSED";
      }
      log.warn({ paymentId: payment.id, err: (err as Error).message }, "deposit credit not confirmed by the wallet; will retry");
      return "RETRY";
    }
    await sql.query(`UPDATE payment SET wallet_transaction_id = $2::uuid, credited_at = $3::timestamptz, updated_at = now() WHERE id = $1::uuid AND wallet_transaction_id IS NULL`, [
      payment.id,
      result.id,
      result.createdAt,
    ]);
    return "CREDITED";
  }

  private async replay(key: string, hash: string): Promise<StartedDeposit | undefined> {
    const existing = await this.deps.prisma.payment.findUnique({ where: { idempotencyKey: key } });
    if (!existing) return undefined;
    if (existing.requestHash !== hash) {
      throw appError("IDEMPOTENCY_KEY_REUSED", "This idempotencyKey was used for a different deposit", { field: "input.idempotencyKey" });
    }
    return { payment: existing, nextAction: (existing.nextAction ?? undefined) as StartedDeposit["nextAction"] };
  }

  private askCompliance(playerId: string, currency: string, amountMinor: bigint): Promise<DepositAnswer> {
    const compliance = this.deps.compliance;
    return askComplianceOrRefuse("deposit", compliance && (() => compliance.deposit({ playerId, currency, amountMinor })), this.deps.log, playerId, (answer) => ({
      remaining: answer.remaining === null ? null : answer.remaining.toString(),
    }));
  }

  /** Records the PSP's answer; a notification that arrived first (and moved the payment on) wins. */
  private async recordInitiation(paymentId: string, result: InitiateResult): Promise<Payment> {
    const prisma = this.deps.prisma;
    const data = {
      pspReference: result.pspReference || null,
      nextAction: result.nextAction ? (result.nextAction as Prisma.InputJsonObject) : Prisma.DbNull,
    };
    const status: DepositStatus = result.status;
    const moved = await prisma.payment.updateMany({
      where: { id: paymentId, status: "INITIATED" },
      data: { ...data, status, ...(status === "FAILED" ? { failureReason: result.declineReason ?? "DECLINED" } : {}) },
    });
    if (moved.count === 0) await prisma.payment.updateMany({ where: { id: paymentId, pspReference: null }, data: { pspReference: data.pspReference } });
    return prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
  }

  private async fail(paymentId: string, reason: string): Promise<Payment> {
    await this.deps.prisma.payment.updateMany({ where: { id: paymentId, status: "INITIATED" }, data: { status: "FAILED", failureReason: reason } });
    return this.deps.prisma.payment.findUniqueOrThrow({ where: { id: paymentId } });
  }
}


