import { createHmac } from "node:crypto";

/**
 * The simulator's wire protocol, shaped like a typical asynchronous KYC provider's:
 *
 *   POST /verifications  (JSON VerificationRequest)  ->  202 { providerReference, status: "PENDING" }
 *   ...later, POST <callbackUrl>  (JSON VerificationCallback), signed:
 *     X-Kyc-Timestamp: <unix seconds>
 *     X-Kyc-Signature: hex(HMAC-SHA256(secret, "<timestamp>.<raw body>"))
 *
 * The timestamp is inside the signed text, so a captured callback cannot be replayed later with a
 * fresh timestamp; the receiver checks the signature in constant time and the timestamp's age.
 */
export const SIGNATURE_HEADER = "x-kyc-signature";
export const TIMESTAMP_HEADER = "x-kyc-timestamp";

export const DOCUMENT_TYPES = ["PASSPORT", "DRIVING_LICENCE", "NATIONAL_ID", "PROOF_OF_ADDRESS"] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const RESULTS = ["VERIFIED", "REJECTED", "REFER"] as const;
export type VerificationResult = (typeof RESULTS)[number];

export interface VerificationRequest {
  /** The caller's own id of this verification, echoed in the callback. */
  clientReference: string;
  /** Where the result is POSTed. */
  callbackUrl: string;
  person: {
    firstName: string;
    lastName: string;
    /** yyyy-mm-dd */
    dateOfBirth: string;
    address: { line1: string; line2: string | null; city: string; postcode: string; country: string };
  };
  documents: Array<{ type: DocumentType; issuingCountry: string; expiresOn: string | null; numberLast4: string }>;
}

export interface VerificationAccepted {
  providerReference: string;
  status: "PENDING";
}

export interface VerificationCallback {
  providerReference: string;
  clientReference: string;
  result: VerificationResult;
  /** Machine-readable reasons, e.g. DOCUMENT_EXPIRED; empty when VERIFIED. */
  reasons: string[];
  decidedAt: string;
}

/** hex HMAC-SHA256 of "<timestamp>.<raw body>" under the shared secret. */
export function signCallback(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
}
