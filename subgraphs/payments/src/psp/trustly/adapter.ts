import { randomUUID, type KeyObject } from "node:crypto";
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
import { loadPrivateKey, loadPublicKey, signTrustly, verifyTrustly } from "./signature.ts";

export interface TrustlyConfig {
  apiUrl: string;
  username: string;
  password: string;
  /** PEM: signs our API requests and our answers to notifications. */
  merchantPrivateKey: string;
  /** PEM: Trustly's key, which its notifications and answers are signed with. */
  trustlyPublicKey: string;
  timeoutMs: number;
}

/**
 * Our MessageID carries the kind of payment, because Trustly's notifications mean opposite things
 * for deposits and payouts (a credit confirms a deposit but returns a payout).
 */
const MESSAGE_PREFIX: Record<PaymentKind, string> = { DEPOSIT: "dep:", PAYOUT: "pay:" };

const MEANING: Readonly<Record<PaymentKind, Readonly<Record<string, PspPaymentStatus>>>> = {
  DEPOSIT: { pending: "PENDING", credit: "SUCCEEDED", cancel: "FAILED", debit: "REVERSED" },
  PAYOUT: { pending: "PENDING", debit: "SUCCEEDED", cancel: "FAILED", credit: "REVERSED" },
};

const notificationSchema = z.object({
  method: z.string().min(1).max(64),
  params: z.object({
    signature: z.string().min(1),
    uuid: z.string().min(1).max(64),
    data: z.record(z.string(), z.unknown()),
  }),
  version: z.literal("1.1"),
});

const dataSchema = z.object({
  orderid: z.string().min(1).max(255),
  messageid: z.string().min(1).max(255),
  notificationid: z.string().min(1).max(255),
  amount: z.string().max(40).optional(),
  currency: z.string().max(3).optional(),
});

const json = (status: number, body: unknown): HttpAnswer => ({ status, contentType: "application/json", body: JSON.stringify(body) });

/** Trustly's own answer to a request whose signature it cannot verify, mirrored back to it. */
const signatureError = json(400, { version: "1.1", error: { name: "JSONRPCError", code: 636, message: "ERROR_UNABLE_TO_VERIFY_RSA_SIGNATURE" } });

export class TrustlyAdapter implements PspAdapter {
  readonly name = "trustly" as const;
  readonly methods = ["bank_transfer"] as const;
  private readonly privateKey: KeyObject;
  private readonly trustlyKey: KeyObject;

  constructor(private readonly config: TrustlyConfig) {
    this.privateKey = loadPrivateKey(config.merchantPrivateKey);
    this.trustlyKey = loadPublicKey(config.trustlyPublicKey);
  }

  async initiate(request: InitiateRequest): Promise<InitiateResult> {
    const method = request.kind === "DEPOSIT" ? "Deposit" : "AccountPayout";
    const uuid = randomUUID();
    const amount = minorToDecimal(request.amountMinor, request.currency);
    const data = {
      Username: this.config.username,
      Password: this.config.password,
      NotificationURL: request.notificationUrl,
      EndUserID: request.playerId,
      MessageID: MESSAGE_PREFIX[request.kind] + request.merchantReference,
      ...(request.kind === "PAYOUT" ? { Amount: amount, Currency: request.currency } : {}),
      Attributes:
        request.kind === "DEPOSIT"
          ? { Amount: amount, Currency: request.currency, ...(request.country ? { Country: request.country } : {}) }
          : { ShopperStatement: "Casino withdrawal" },
    };
    const res = await callPsp(
      this.name,
      this.config.apiUrl.replace(/\/$/, "") + "/api/1",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ method, params: { Signature: signTrustly(this.privateKey, method, uuid, data), UUID: uuid, Data: data }, version: "1.1" }),
      },
      this.config.timeoutMs,
    );
    const answer = parseJsonAnswer(this.name, res) as {
      result?: { signature?: string; uuid?: string; method?: string; data?: { orderid?: string; url?: string } };
      error?: { message?: string };
    };
    const result = answer.result;
    if (!result?.data?.orderid || !result.signature || result.uuid !== uuid) {
      throw new PspRequestRefusedError(this.name, `refused ${method}: ${answer.error?.message ?? res.status}`);
    }
    // An answer that does not carry Trustly's signature is not from Trustly.
    if (!verifyTrustly(this.trustlyKey, result.method ?? method, result.uuid, result.data, result.signature)) {
      throw new PspRequestRefusedError(this.name, `the answer to ${method} is not signed by Trustly`);
    }
    return {
      pspReference: result.data.orderid,
      status: "PENDING",
      nextAction: result.data.url ? { type: "REDIRECT", url: result.data.url } : undefined,
      declineReason: undefined,
    };
  }

  verifyNotification(notification: InboundNotification, _now: Date): NotificationVerdict {
    let parsed: z.infer<typeof notificationSchema>;
    try {
      parsed = notificationSchema.parse(JSON.parse(notification.rawBody.toString("utf8")));
    } catch {
      return { outcome: "REJECTED", reason: "MALFORMED", detail: "not a Trustly JSON-RPC notification", answer: signatureError };
    }
    const { method, params } = parsed;
    if (!verifyTrustly(this.trustlyKey, method, params.uuid, params.data, params.signature)) {
      return { outcome: "REJECTED", reason: "BAD_SIGNATURE", detail: `${method} notification signature does not verify`, answer: signatureError };
    }
    const answer = (disposition: Disposition): HttpAnswer => {
      // Not answering with a signed OK makes Trustly resend the notification later.
      if (disposition === "RETRY") return json(500, { version: "1.1", error: { name: "JSONRPCError", code: 620, message: "ERROR_UNKNOWN" } });
      const okData = { status: "OK" };
      return json(200, { result: { signature: signTrustly(this.privateKey, method, params.uuid, okData), uuid: params.uuid, method, data: okData }, version: "1.1" });
    };
    const data = dataSchema.safeParse(params.data);
    const notificationId = data.success ? data.data.notificationid : `${method}:${params.uuid}`;
    const messageId = data.success ? data.data.messageid : "";
    const kind = (Object.keys(MESSAGE_PREFIX) as PaymentKind[]).find((k) => messageId.startsWith(MESSAGE_PREFIX[k]));
    const status = kind ? MEANING[kind][method] : undefined;
    if (!data.success || !kind || !status) {
      return { outcome: "IGNORED", notificationId, pspType: method, raw: parsed, answer: answer("ACCEPTED") };
    }
    const currency = data.data.currency;
    const amountMinor = data.data.amount !== undefined && currency !== undefined ? decimalToMinor(data.data.amount, currency) : undefined;
    if (data.data.amount !== undefined && amountMinor === undefined) {
      return { outcome: "IGNORED", notificationId, pspType: `${method} (unreadable amount)`, raw: parsed, answer: answer("ACCEPTED") };
    }
    return {
      outcome: "EVENT",
      event: {
        psp: this.name,
        notificationId,
        pspReference: data.data.orderid,
        merchantReference: messageId.slice(MESSAGE_PREFIX[kind].length),
        kind,
        status,
        amountMinor,
        currency,
        pspType: method,
        reason: status === "FAILED" || status === "REVERSED" ? method : undefined,
        raw: parsed,
      },
      answer,
    };
  }
}
