/**
 * X-Hub88-Signature: base64 of an RSA-SHA256 (PKCS#1 v1.5) signature of the raw body. Requests are
 * verified with the partner's public key, responses signed with the operator's private key. The
 * scheme is deterministic, so the published vectors can be reproduced byte for byte.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

export const HUB88_SIGNATURE_HEADER = "x-hub88-signature";

export const hub88PublicKey = (pem: string): KeyObject => createPublicKey(pem);
export const hub88PrivateKey = (pem: string): KeyObject => createPrivateKey(pem);

export function signHub88(body: Buffer | string, privateKey: KeyObject): string {
  return sign("sha256", typeof body === "string" ? Buffer.from(body, "utf8") : body, privateKey).toString("base64");
}

/**
 * signHub88 on libuv's thread pool: the RSA private-key operation (about 0.3 ms for a 2048-bit key)
 * runs beside the event loop instead of on it, so that other callbacks go on meanwhile.
 */
export function signHub88Async(body: string, privateKey: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    sign("sha256", Buffer.from(body, "utf8"), privateKey, (err, signature) => (err ? reject(err) : resolve(signature.toString("base64"))));
  });
}

/** False for a missing, malformed or wrong signature. */
export function verifyHub88(body: Buffer, signature: string | undefined, publicKey: KeyObject): boolean {
  if (!signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return verify("sha256", body, publicKey, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}
