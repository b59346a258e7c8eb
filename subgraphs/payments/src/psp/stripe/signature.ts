import { createHmac, timingSafeEqual } from "node:crypto";

/** Stripe's default, and what its libraries apply unless told otherwise. */
export const STRIPE_DEFAULT_TOLERANCE_SECONDS = 300;
export const STRIPE_SIGNATURE_HEADER = "stripe-signature";

export type StripeSignatureCheck = "VALID" | "MISSING_SIGNATURE" | "BAD_SIGNATURE" | "OUTSIDE_TOLERANCE";

/**
 * Checks a `Stripe-Signature` header (`t=<unix seconds>,v1=<hex>[,v1=<hex>...]`) as Stripe's own
 * libraries do: v1 is the hex HMAC-SHA256 of "<t>.<raw body>" under the endpoint secret; any v1
 * matching any of our secrets passes (Stripe sends one v1 per active secret while a secret is being
 * rolled, and we may hold the old and new one); digests are compared in constant time; other
 * schemes (v0) are ignored; a timestamp older than the tolerance is refused so that a captured
 * request cannot be replayed later.
 */
export function checkStripeSignature(
  header: string | undefined,
  rawBody: Buffer,
  secrets: readonly string[],
  now: Date,
  toleranceSeconds = STRIPE_DEFAULT_TOLERANCE_SECONDS,
): StripeSignatureCheck {
  if (!header) return "MISSING_SIGNATURE";
  let timestamp: string | undefined;
  const digests: Buffer[] = [];
  for (const item of header.split(",")) {
    const separator = item.indexOf("=");
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (key === "t") timestamp = value;
    else if (key === "v1" && /^[0-9a-f]{64}$/i.test(value)) digests.push(Buffer.from(value, "hex"));
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || digests.length === 0) return "MISSING_SIGNATURE";

  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest();
    // Every candidate is compared, so the time taken does not tell which one matched.
    for (const digest of digests) matched = timingSafeEqual(expected, digest) || matched;
  }
  if (!matched) return "BAD_SIGNATURE";
  if (Math.floor(now.getTime() / 1000) - Number(timestamp) > toleranceSeconds) return "OUTSIDE_TOLERANCE";
  return "VALID";
}
