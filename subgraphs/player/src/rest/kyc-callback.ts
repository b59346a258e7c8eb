import { createHmac, timingSafeEqual } from "node:crypto";
import type { Logger } from "@casino/kernel/logger";
import express, { type Express } from "express";
import { z } from "zod";
import type { CallbackOutcome, KycService } from "../kyc/kyc-service.ts";

export const SIGNATURE_HEADER = "x-kyc-signature";
export const TIMESTAMP_HEADER = "x-kyc-timestamp";

export type SignatureCheck = "VALID" | "MISSING" | "BAD_SIGNATURE" | "OUTSIDE_TOLERANCE";

/**
 * Checks a callback's signature: hex HMAC-SHA256 of "<timestamp>.<raw body>" under the shared
 * secret, compared in constant time, with the timestamp within `toleranceSeconds` of now so a
 * captured callback cannot be replayed later.
 */
export function checkSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: Buffer,
  now: Date,
  toleranceSeconds: number,
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return "MISSING";
  if (!/^\d{1,12}$/.test(timestamp) || !/^[0-9a-f]{64}$/i.test(signature)) return "BAD_SIGNATURE";
  const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) return "BAD_SIGNATURE";
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > toleranceSeconds) return "OUTSIDE_TOLERANCE";
  return "VALID";
}

const callbackSchema = z.object({
  providerReference: z.string().min(1).max(200),
  clientReference: z.string().min(1).max(200),
  result: z.enum(["VERIFIED", "REJECTED", "REFER"]),
  reasons: z.array(z.string().max(100)).max(20).default([]),
});

const STATUS_OF: Record<CallbackOutcome, number> = { APPLIED: 200, RECORDED_ONLY: 200, REPLAYED: 200, UNKNOWN: 404 };

export interface KycCallbackOptions {
  kyc: KycService;
  /** The provider's name: the route is /callbacks/kyc/<provider>. */
  provider: string;
  secret: string;
  toleranceSeconds: number;
  log: Logger;
  now?: () => Date;
}

export const kycCallbackPath = (provider: string) => `/callbacks/kyc/${provider}`;

/** The provider's REST callback: authenticated by its signature only (never a JWT), idempotent per verification. */
export function mountKycCallback(app: Express, opts: KycCallbackOptions): void {
  const log = opts.log.child({ component: "kyc-callback", provider: opts.provider });
  app.post(kycCallbackPath(opts.provider), express.raw({ type: () => true, limit: "64kb" }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const check = checkSignature(
      opts.secret,
      { timestamp: req.get(TIMESTAMP_HEADER), signature: req.get(SIGNATURE_HEADER) },
      rawBody,
      opts.now?.() ?? new Date(),
      opts.toleranceSeconds,
    );
    if (check !== "VALID") {
      log.warn({ check }, "KYC callback refused");
      res.status(401).json({ error: { code: "UNAUTHENTICATED", message: "Invalid callback signature" } });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      res.status(400).json({ error: { code: "BAD_REQUEST", message: "The body is not JSON" } });
      return;
    }
    const parsed = callbackSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      res.status(400).json({ error: { code: "BAD_REQUEST", field: issue.path.join("."), message: issue.message } });
      return;
    }
    try {
      const outcome = await opts.kyc.applyProviderResult(opts.provider, parsed.data);
      log.info({ providerReference: parsed.data.providerReference, result: parsed.data.result, outcome }, "KYC callback handled");
      res.status(STATUS_OF[outcome]).json({ outcome });
    } catch (err) {
      log.error({ err }, "KYC callback failed; the provider will retry");
      res.status(500).json({ error: { code: "INTERNAL_SERVER_ERROR", message: "Internal error" } });
    }
  });
}
