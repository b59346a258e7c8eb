import { createHmac, randomBytes } from "node:crypto";
import express from "express";
import { PspSimulatorBase, type PreparedNotification, type SimulatorOptions } from "./delivery.ts";

export interface StripeSimulatorOptions extends SimulatorOptions {
  /** The secret API key merchants authenticate with (Bearer). */
  apiKey: string;
  /** Endpoint secrets the webhooks are signed with: one v1 per secret, as while a secret is rolled. */
  webhookSecrets: string[];
  /** The merchant's webhook endpoint (Stripe keeps it per account, not per request); settable later. */
  webhookUrl?: string;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/**
 * A Stripe-compatible card PSP: payment intents and payouts over form-encoded requests with
 * idempotency keys, and webhooks signed exactly as Stripe signs them, resent until a 2xx answer.
 */
export class StripeSimulator extends PspSimulatorBase {
  webhookUrl: string | undefined;
  private readonly idempotent = new Map<string, { params: string; status: number; body: unknown }>();

  constructor(private readonly config: StripeSimulatorOptions) {
    super("stripe", config);
    this.webhookUrl = config.webhookUrl;
    this.app.use(express.urlencoded({ extended: false, limit: "64kb" }));
    this.app.post("/v1/payment_intents", (req, res) => this.create(req, res, "payment_intent"));
    this.app.post("/v1/payouts", (req, res) => this.create(req, res, "payout"));
  }

  /** Stripe's signature header: t=<unix seconds>, then v1=<hex HMAC-SHA256 of "t.body"> per secret. */
  signatureHeader(body: string, timestamp = Math.floor(this.now().getTime() / 1000)): string {
    const v1 = this.config.webhookSecrets.map((secret) => `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`);
    return [`t=${timestamp}`, ...v1].join(",");
  }

  protected acknowledged(_n: PreparedNotification, status: number): boolean {
    return status >= 200 && status < 300;
  }

  private create(req: express.Request, res: express.Response, object: "payment_intent" | "payout"): void {
    if (req.get("authorization") !== `Bearer ${this.config.apiKey}`) {
      res.status(401).json({ error: { type: "invalid_request_error", message: "Invalid API Key provided" } });
      return;
    }
    const params = (req.body ?? {}) as Record<string, string>;
    const key = req.get("idempotency-key");
    const fingerprint = JSON.stringify(Object.entries(params).sort());
    const earlier = key ? this.idempotent.get(`${object}:${key}`) : undefined;
    if (earlier) {
      if (earlier.params !== fingerprint) {
        res.status(400).json({ error: { type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters they were first used with." } });
        return;
      }
      res.status(earlier.status).set("idempotent-replayed", "true").json(earlier.body);
      return;
    }
    const answer = this.decideCreation(object, params);
    if (key) this.idempotent.set(`${object}:${key}`, { params: fingerprint, ...answer });
    res.status(answer.status).json(answer.body);
  }

  private decideCreation(object: "payment_intent" | "payout", params: Record<string, string>): { status: number; body: unknown } {
    const amount = params.amount ?? "";
    const currency = params.currency ?? "";
    if (!/^[1-9]\d{0,15}$/.test(amount) || !/^[a-z]{3}$/.test(currency)) {
      return { status: 400, body: { error: { type: "invalid_request_error", message: "amount and currency are required" } } };
    }
    const metadata = Object.fromEntries(
      Object.entries(params)
        .filter(([k]) => k.startsWith("metadata["))
        .map(([k, v]) => [k.slice("metadata[".length, -1), v]),
    );
    const amountMinor = BigInt(amount);
    const outcome = this.decide(amountMinor);
    const base = { id: id(object === "payout" ? "po" : "pi"), object, amount: Number(amount), currency, metadata, created: Math.floor(this.now().getTime() / 1000) };
    if (outcome === "decline-at-once") {
      const declined = { ...base, status: object === "payout" ? "failed" : "requires_payment_method" };
      if (object === "payout") return { status: 200, body: declined };
      return { status: 402, body: { error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined.", payment_intent: declined } } };
    }
    if (object === "payout") {
      const paid = outcome === "succeed";
      this.sendEvents([[paid ? "payout.paid" : "payout.failed", { ...base, status: paid ? "paid" : "failed", failure_code: paid ? null : "account_closed" }]]);
      return { status: 200, body: { ...base, status: "pending" } };
    }
    const processing = { ...base, status: "processing", client_secret: `${base.id}_secret_${randomBytes(8).toString("hex")}` };
    const final =
      outcome === "succeed"
        ? ["payment_intent.succeeded", { ...base, status: "succeeded" }]
        : ["payment_intent.payment_failed", { ...base, status: "requires_payment_method", last_payment_error: { type: "card_error", code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." } }];
    this.sendEvents([["payment_intent.processing", processing], final as [string, Record<string, unknown>]]);
    return { status: 200, body: processing };
  }

  private sendEvents(events: Array<[string, Record<string, unknown>]>): void {
    const url = this.webhookUrl;
    if (!url) {
      this.log("no webhook endpoint configured; events not sent", { count: events.length });
      return;
    }
    this.notify(
      events.map(([type, object]) => {
        const event = { id: id("evt"), object: "event", api_version: "2025-01-27", created: Math.floor(this.now().getTime() / 1000), livemode: false, type, data: { object } };
        const body = JSON.stringify(event);
        return {
          id: event.id,
          url,
          // Stripe signs each attempt with the time it is sent.
          build: () => ({ body, headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": this.signatureHeader(body) } }),
        };
      }),
    );
  }
}
