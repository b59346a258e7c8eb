/**
 * X-REQUEST-SIGN: lowercase hex HMAC-SHA256 of the raw request body with the shared secret, compared
 * in constant time.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SOFTSWISS_SIGNATURE_HEADER = "x-request-sign";

export function signSoftswiss(body: Buffer | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export function verifySoftswiss(body: Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}
