import { isSupportedCurrency } from "@casino/kernel/money";
import { z } from "zod";
import { callPsp, parseJsonAnswer } from "../http.ts";
import {
  PspRequestRefusedError,
  type Disposition,
  type HttpAnswer,
  type InboundNotification,
  type InitiateRequest,
  type InitiateResult,
  type NotificationVerdict,
  type PspAdapter,
  type PspPaymentStatus,
  type PaymentKind,
} from "../types.ts";
import { STRIPE_SIGNATURE_HEADER, checkStripeSignature } from "./signature.ts";

export interface StripeConfig {
  /** https://api.stripe.com, or a simulator. */
  apiUrl: string;
  apiKey: string;
  /** Endpoint secrets (whsec_...): more than one while a secret is being rolled. */
  webhookSecrets: readonly string[];
  toleranceSeconds: number;
  timeoutMs: number;
}

/** Event types the platform acts on, and what each means for the payment. */
const EVENT_MEANING: Readonly<Record<string, { kind: PaymentKind; status: PspPaymentStatus }>> = {
  "payment_intent.processing": { kind: "DEPOSIT", status: "PENDING" },
  "payment_intent.succeeded": { kind: "DEPOSIT", status: "SUCCEEDED" },
  "payment_intent.payment_failed": { kind: "DEPOSIT", status: "FAILED" },
  "payment_intent.canceled": { kind: "DEPOSIT", status: "FAILED" },
  "payout.paid": { kind: "PAYOUT", status: "SUCCEEDED" },
  "payout.failed": { kind: "PAYOUT", status: "FAILED" },
  "payout.canceled": { kind: "PAYOUT", status: "FAILED" },
};

const eventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

// Stripe amounts are integers in the currency's smallest unit; currencies are lower-case ISO codes.
const paymentObjectSchema = z.object({
  id: z.string().min(1).max(255),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[a-z]{3}$/),
  metadata: z.object({ merchant_reference: z.string().min(1).max(255) }).loose(),
  last_payment_error: z.object({ code: z.string().optional(), decline_code: z.string().optional(), message: z.string().optional() }).loose().nullish(),
  failure_code: z.string().nullish(),
});

const json = (status: number, body: unknown): HttpAnswer => ({ status, contentType: "application/json", body: JSON.stringify(body) });

/** Stripe expects any 2xx quickly; anything else is retried with backoff for up to three days. */
const STRIPE_ANSWERS: Record<Disposition, HttpAnswer> = {
  ACCEPTED: json(200, { received: true }),
  RETRY: json(500, { error: "not processed; please retry" }),
};

export class StripeAdapter implements PspAdapter {
  readonly name = "stripe" as const;
  readonly methods = ["card"] as const;

  constructor(private readonly config: StripeConfig) {}

  async initiate(request: InitiateRequest): Promise<InitiateResult> {
    const form = new URLSearchParams();
    form.set("amount", request.amountMinor.toString());
    form.set("currency", request.currency.toLowerCase());
    form.set("metadata[merchant_reference]", request.merchantReference);
    form.set("metadata[player_id]", request.playerId);
    if (request.kind === "DEPOSIT") form.append("payment_method_types[]", "card");
    const path = request.kind === "DEPOSIT" ? "/v1/payment_intents" : "/v1/payouts";
    const res = await callPsp(
      this.name,
      this.config.apiUrl.replace(/\/$/, "") + path,
      {
        method: "POST",
        headers: {
          authorization: `Bearer ${this.config.apiKey}`,
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": request.idempotencyKey,
        },
        body: form.toString(),
      },
      this.config.timeoutMs,
    );
    const body = parseJsonAnswer(this.name, res) as {
      id?: string;
      status?: string;
      client_secret?: string;
      error?: { type?: string; code?: string; decline_code?: string; message?: string; payment_intent?: { id?: string } };
    };
    if (res.status === 402 && body.error?.type === "card_error") {
      return {
        pspReference: body.error.payment_intent?.id ?? "",
        status: "FAILED",
        nextAction: undefined,
        declineReason: body.error.decline_code ?? body.error.code ?? "card_declined",
      };
    }
    if (res.status !== 200 || !body.id) throw new PspRequestRefusedError(this.name, `answered ${res.status}: ${body.error?.message ?? "no id"}`);
    if (body.status === "canceled" || body.status === "failed") {
      return { pspReference: body.id, status: "FAILED", nextAction: undefined, declineReason: body.status };
    }
    return {
      pspReference: body.id,
      status: "PENDING",
      nextAction: body.client_secret ? { type: "CLIENT_SECRET", value: body.client_secret } : undefined,
      declineReason: undefined,
    };
  }

  verifyNotification(notification: InboundNotification, now: Date): NotificationVerdict {
    const check = checkStripeSignature(notification.headers[STRIPE_SIGNATURE_HEADER], notification.rawBody, this.config.webhookSecrets, now, this.config.toleranceSeconds);
    if (check !== "VALID") return { outcome: "REJECTED", reason: check, detail: `Stripe-Signature: ${check}`, answer: json(400, { error: `Webhook signature verification failed (${check})` }) };

    let parsed: z.infer<typeof eventSchema>;
    try {
      parsed = eventSchema.parse(JSON.parse(notification.rawBody.toString("utf8")));
    } catch {
      return { outcome: "REJECTED", reason: "MALFORMED", detail: "not a Stripe event", answer: json(400, { error: "The body is not a Stripe event" }) };
    }
    const meaning = EVENT_MEANING[parsed.type];
    const object = paymentObjectSchema.safeParse(parsed.data.object);
    const currency = object.success ? object.data.currency.toUpperCase() : "";
    // Authentic, but nothing the platform acts on (another event type, or a payment that is not ours):
    // acknowledged so that Stripe does not resend it for days.
    if (!meaning || !object.success || !isSupportedCurrency(currency)) {
      return { outcome: "IGNORED", notificationId: parsed.id, pspType: parsed.type, raw: parsed, answer: STRIPE_ANSWERS.ACCEPTED };
    }
    const failure = object.data.last_payment_error;
    return {
      outcome: "EVENT",
      event: {
        psp: this.name,
        notificationId: parsed.id,
        pspReference: object.data.id,
        merchantReference: object.data.metadata.merchant_reference,
        kind: meaning.kind,
        status: meaning.status,
        amountMinor: BigInt(object.data.amount),
        currency,
        pspType: parsed.type,
        reason: meaning.status === "FAILED" ? (failure?.decline_code ?? failure?.code ?? object.data.failure_code ?? parsed.type) : undefined,
        raw: parsed,
      },
      answer: (disposition) => STRIPE_ANSWERS[disposition],
    };
  }
}
