/**
 * The KYC status lifecycle as a pure function: (status, command) -> next status, or a typed error.
 *
 *   UNVERIFIED ──request──> PENDING ──provider VERIFIED──> VERIFIED
 *   REJECTED   ──request──> PENDING ──provider REJECTED──> REJECTED
 *                           PENDING ──provider REFER─────> REFERRED
 *   PENDING | REFERRED ──staff adjudication (with a note)──> VERIFIED | REJECTED
 *
 * A rejected player may try again with new documents (REJECTED -> PENDING); a verified player has
 * nothing left to verify, and a request while one is open (PENDING, REFERRED) would race the first.
 */
export const KYC_STATUSES = ["UNVERIFIED", "PENDING", "VERIFIED", "REJECTED", "REFERRED"] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

export type ProviderResult = "VERIFIED" | "REJECTED" | "REFER";
export type KycDecision = "VERIFIED" | "REJECTED";

export type KycCommand =
  | { type: "REQUEST_VERIFICATION" }
  | { type: "RECORD_PROVIDER_RESULT"; result: ProviderResult }
  | { type: "ADJUDICATE"; decision: KycDecision; note: string };

export class KycTransitionError extends Error {
  constructor(
    readonly from: KycStatus,
    readonly command: KycCommand["type"],
    message: string,
  ) {
    super(message);
    this.name = "KycTransitionError";
  }
}

const PROVIDER_OUTCOME: Record<ProviderResult, KycStatus> = { VERIFIED: "VERIFIED", REJECTED: "REJECTED", REFER: "REFERRED" };

export function nextKycStatus(from: KycStatus, command: KycCommand): KycStatus {
  switch (command.type) {
    case "REQUEST_VERIFICATION":
      if (from === "UNVERIFIED" || from === "REJECTED") return "PENDING";
      throw new KycTransitionError(from, command.type, `A verification cannot be requested while KYC is ${from}`);
    case "RECORD_PROVIDER_RESULT":
      if (from === "PENDING") return PROVIDER_OUTCOME[command.result];
      throw new KycTransitionError(from, command.type, `A provider result cannot be applied while KYC is ${from}`);
    case "ADJUDICATE":
      if (command.note.trim() === "") throw new KycTransitionError(from, command.type, "An adjudication needs a note");
      if (from === "PENDING" || from === "REFERRED") return command.decision;
      throw new KycTransitionError(from, command.type, `Only PENDING or REFERRED verifications can be adjudicated, not ${from}`);
    default:
      return assertNever(command);
  }
}

/** What other services need to know: VERIFIED means both age and identity were verified. */
export function verificationFlags(status: KycStatus): { ageVerified: boolean; identityVerified: boolean } {
  const verified = status === "VERIFIED";
  return { ageVerified: verified, identityVerified: verified };
}

function assertNever(value: never): never {
  throw new Error(`Unhandled KYC command ${JSON.stringify(value)}`);
}
