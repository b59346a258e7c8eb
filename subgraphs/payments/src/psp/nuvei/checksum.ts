import { createHash, timingSafeEqual } from "node:crypto";

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The fields of a payment DMN that its advanceResponseChecksum covers, in the order it covers them. */
export interface DmnChecksumFields {
  totalAmount: string;
  currency: string;
  responseTimeStamp: string;
  PPP_TransactionID: string;
  Status: string;
  productId: string;
}

/** advanceResponseChecksum: hex SHA-256 of the secret key followed by the covered values. */
export function dmnChecksum(secretKey: string, f: DmnChecksumFields): string {
  return sha256Hex(secretKey + f.totalAmount + f.currency + f.responseTimeStamp + f.PPP_TransactionID + f.Status + f.productId);
}

/** Constant-time comparison of a received checksum with the expected one. */
export function dmnChecksumMatches(secretKey: string, fields: DmnChecksumFields, received: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(received)) return false;
  return timingSafeEqual(Buffer.from(dmnChecksum(secretKey, fields), "hex"), Buffer.from(received, "hex"));
}

/** The checksum of a merchant's API request: SHA-256 of the listed values followed by the secret key. */
export function requestChecksum(secretKey: string, values: readonly string[]): string {
  return sha256Hex(values.join("") + secretKey);
}
