import type { VerificationRequest, VerificationResult } from "./protocol.ts";

export interface Outcome {
  result: VerificationResult;
  reasons: string[];
}

/**
 * The simulator's decision, a pure function of the request so that tests can steer it:
 * - last name "Refer" -> REFER, "Reject" -> REJECTED (any case);
 * - no documents -> REJECTED; only a proof of address, no photo identity document -> REFER;
 * - a document expired before `today` -> REJECTED;
 * - younger than 18 on `today` -> REJECTED;
 * - otherwise VERIFIED.
 */
export function decideOutcome(request: VerificationRequest, today: Date): Outcome {
  const lastName = request.person.lastName.trim().toLowerCase();
  if (lastName === "refer") return { result: "REFER", reasons: ["MANUAL_REVIEW_REQUESTED"] };
  if (lastName === "reject") return { result: "REJECTED", reasons: ["IDENTITY_NOT_MATCHED"] };
  if (request.documents.length === 0) return { result: "REJECTED", reasons: ["NO_DOCUMENTS"] };
  const todayIso = today.toISOString().slice(0, 10);
  if (request.documents.some((d) => d.expiresOn !== null && d.expiresOn < todayIso)) return { result: "REJECTED", reasons: ["DOCUMENT_EXPIRED"] };
  if (!isAdult(request.person.dateOfBirth, today)) return { result: "REJECTED", reasons: ["UNDERAGE"] };
  if (request.documents.every((d) => d.type === "PROOF_OF_ADDRESS")) return { result: "REFER", reasons: ["NO_PHOTO_ID"] };
  return { result: "VERIFIED", reasons: [] };
}

function isAdult(dateOfBirth: string, today: Date): boolean {
  const [year, month, day] = dateOfBirth.split("-").map(Number) as [number, number, number];
  const eighteenth = Date.UTC(year + 18, month - 1, day);
  return eighteenth <= today.getTime();
}
