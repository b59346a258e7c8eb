import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from "node:crypto";

/** Trustly signs with RSA over SHA-1 (PKCS#1 v1.5), as its published client libraries do. */
const ALGORITHM = "RSA-SHA1";

/**
 * Trustly's serialisation of a Data object: every key and value concatenated, object keys sorted
 * by code unit ("ASCIIbetically") at every level, list items in order, null as the empty string.
 */
export function serializeTrustlyData(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(serializeTrustlyData).join("");
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    return Object.keys(record)
      .sort()
      .map((key) => key + serializeTrustlyData(record[key]))
      .join("");
  }
  return String(value);
}

/** The signed text: method, then UUID, then the serialised data. */
const plaintext = (method: string, uuid: string, data: unknown) => method + uuid + serializeTrustlyData(data);

export function signTrustly(privateKey: KeyObject, method: string, uuid: string, data: unknown): string {
  return createSign(ALGORITHM).update(plaintext(method, uuid, data), "utf8").sign(privateKey, "base64");
}

export function verifyTrustly(publicKey: KeyObject, method: string, uuid: string, data: unknown, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify(ALGORITHM).update(plaintext(method, uuid, data), "utf8").verify(publicKey, signature, "base64");
  } catch {
    return false;
  }
}

export const loadPrivateKey = (pem: string): KeyObject => createPrivateKey(pem);
export const loadPublicKey = (pem: string): KeyObject => createPublicKey(pem);
