import { z } from "zod";
import { decimalToMinor, minorToDecimal } from "../amounts.ts";
import { callPsp, parseJsonAnswer } from "../http.ts";
import {
  PspRequestRefusedError,
  type Disposition,
  type HttpAnswer,
  type InboundNotification,
  type InitiateRequest,
  type InitiateResult,
  type NotificationVerdict,
  type PaymentKind,
  type PspAdapter,
  type PspPaymentStatus,
} from "../types.ts";
import { dmnChecksumMatches, requestChecksum } from "./checksum.ts";

export interface NuveiConfig {
  apiUrl: string;
  merchantId: string;
  merchantSiteId: string;
  secretKey: string;
  timeoutMs: number;
}

const STATUS_MEANING: Readonly<Record<string, PspPaymentStatus>> = {
  APPROVED: "SUCCEEDED",
  PENDING: "PENDING",
  DECLINED: "FAILED",
  ERROR: "FAILED",
};

/** Transaction types that move a deposit or a payout; others (Auth, Void, Refund, Chargeback) are only logged. */
const KIND_OF_TYPE: Readonly<Record<string, PaymentKind>> = { Sale: "DEPOSIT", Settle: "DEPOSIT", Payout: "PAYOUT", Credit: "PAYOUT" };

const field = z.string().max(255);
const dmnSchema = z.object({
  advanceResponseChecksum: z.string().min(1),
  totalAmount: field,
  currency: field,
  responseTimeStamp: field,
  PPP_TransactionID: field,
  Status: field,
  productId: field.default(""),
  TransactionID: field.min(1),
  clientUniqueId: field.default(""),
  transactionType: field.default(""),
  Reason: field.optional(),
  ReasonCode: field.optional(),
});

const text = (status: number, body: string): HttpAnswer => ({ status, contentType: "text/plain; charset=utf-8", body });

/** Nuvei counts a DMN as delivered on HTTP 200 only; anything else is resent every 15 minutes for 24 hours. */
const NUVEI_ANSWERS: Record<Disposition, HttpAnswer> = { ACCEPTED: text(200, "OK"), RETRY: text(500, "RETRY") };

/** "yyyyMMddHHmmss" in UTC, the timeStamp Nuvei's API takes. */
const nuveiTimestamp = (d: Date) => d.toISOString().replace(/[-:T]/g, "").slice(0, 14);

export class NuveiAdapter implements PspAdapter {
  readonly name = "nuvei" as const;
  readonly methods = ["card"] as const;

  constructor(
    private readonly config: NuveiConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async initiate(request: InitiateRequest): Promise<InitiateResult> {
    const amount = minorToDecimal(request.amountMinor, request.currency);
    const timeStamp = nuveiTimestamp(this.now());
    const { merchantId, merchantSiteId, secretKey } = this.config;
    const body = {
      merchantId,
      merchantSiteId,
      clientRequestId: request.idempotencyKey,
      clientUniqueId: request.merchantReference,
      userTokenId: request.playerId,
      amount,
      currency: request.currency,
      timeStamp,
      checksum: requestChecksum(secretKey, [merchantId, merchantSiteId, request.idempotencyKey, amount, request.currency, timeStamp]),
      urlDetails: { notificationUrl: request.notificationUrl },
    };
    const path = request.kind === "DEPOSIT" ? "/ppp/api/v1/payment.do" : "/ppp/api/v1/payout.do";
    const res = await callPsp(
      this.name,
      this.config.apiUrl.replace(/\/$/, "") + path,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      this.config.timeoutMs,
    );
    const answer = parseJsonAnswer(this.name, res) as { status?: string; transactionStatus?: string; transactionId?: string; redirectUrl?: string; reason?: string; gwErrorReason?: string };
    if (res.status !== 200 || answer.status !== "SUCCESS" || !answer.transactionId) {
      throw new PspRequestRefusedError(this.name, `refused the request: ${answer.reason ?? res.status}`);
    }
    if (answer.transactionStatus === "DECLINED" || answer.transactionStatus === "ERROR") {
      return { pspReference: answer.transactionId, status: "FAILED", nextAction: undefined, declineReason: answer.gwErrorReason ?? answer.reason ?? answer.transactionStatus };
    }
    return {
      pspReference: answer.transactionId,
      status: "PENDING",
      nextAction: answer.redirectUrl ? { type: "REDIRECT", url: answer.redirectUrl } : undefined,
      declineReason: undefined,
    };
  }

  verifyNotification(notification: InboundNotification, _now: Date): NotificationVerdict {
    const form = Object.fromEntries(new URLSearchParams(notification.rawBody.toString("utf8")));
    const parsed = dmnSchema.safeParse(form);
    if (!parsed.success) {
      const reason = form.advanceResponseChecksum ? "MALFORMED" : "MISSING_SIGNATURE";
      return { outcome: "REJECTED", reason, detail: parsed.error.issues[0]!.path.join("."), answer: text(400, "Invalid DMN") };
    }
    const dmn = parsed.data;
    if (!dmnChecksumMatches(this.config.secretKey, dmn, dmn.advanceResponseChecksum)) {
      return { outcome: "REJECTED", reason: "BAD_SIGNATURE", detail: "advanceResponseChecksum does not match", answer: text(400, "Invalid checksum") };
    }
    // One DMN per transaction and status; a resent DMN carries the same three.
    const notificationId = `${dmn.PPP_TransactionID}:${dmn.TransactionID}:${dmn.Status}`;
    const status = STATUS_MEANING[dmn.Status];
    const kind = KIND_OF_TYPE[dmn.transactionType];
    const amountMinor = decimalToMinor(dmn.totalAmount, dmn.currency);
    if (!status || !kind || amountMinor === undefined || !dmn.clientUniqueId) {
      return { outcome: "IGNORED", notificationId, pspType: `${dmn.transactionType}/${dmn.Status}`, raw: dmn, answer: NUVEI_ANSWERS.ACCEPTED };
    }
    return {
      outcome: "EVENT",
      event: {
        psp: this.name,
        notificationId,
        pspReference: dmn.TransactionID,
        merchantReference: dmn.clientUniqueId,
        kind,
        status,
        amountMinor,
        currency: dmn.currency,
        pspType: `${dmn.transactionType}/${dmn.Status}`,
        reason: status === "FAILED" ? (dmn.Reason ?? dmn.ReasonCode ?? dmn.Status) : undefined,
        raw: dmn,
      },
      answer: (disposition) => NUVEI_ANSWERS[disposition],
    };
  }
}
