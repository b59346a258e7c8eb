import type { KycSimulator } from "@casino/kyc-simulator";
import { GraphQLError } from "graphql";
import type { IdentityDocumentType } from "../generated/prisma/client.ts";

/** What the player service sends to a KYC provider: the profile and the documents' metadata. */
export interface KycVerificationRequest {
  /** Our id of this verification; the provider echoes it in its callback. */
  clientReference: string;
  callbackUrl: string;
  person: {
    firstName: string;
    lastName: string;
    dateOfBirth: string;
    address: { line1: string; line2: string | null; city: string; postcode: string; country: string };
  };
  documents: Array<{ type: IdentityDocumentType; issuingCountry: string; expiresOn: string | null; numberLast4: string }>;
}

/** A KYC provider behind an adapter; its answer arrives later through a signed callback. */
export interface KycProvider {
  /** Names the callback route (/callbacks/kyc/<name>) and the provider of stored verifications. */
  readonly name: string;
  requestVerification(req: KycVerificationRequest): Promise<{ providerReference: string }>;
}

export const providerUnavailable = (detail: string) =>
  new GraphQLError("The identity verification service is unavailable; try again later", {
    extensions: { code: "KYC_PROVIDER_UNAVAILABLE", detail },
  });

/** The simulator's HTTP protocol (clients/kyc-simulator), for a simulator running as its own process. */
export class HttpSimulatorProvider implements KycProvider {
  readonly name = "simulator";
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async requestVerification(req: KycVerificationRequest): Promise<{ providerReference: string }> {
    let res: Response;
    try {
      res = await fetch(new URL("verifications", this.baseUrl.endsWith("/") ? this.baseUrl : `${this.baseUrl}/`), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(req),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw providerUnavailable((err as Error).message);
    }
    const body = (await res.json().catch(() => ({}))) as { providerReference?: unknown };
    if (res.status !== 202 || typeof body.providerReference !== "string") throw providerUnavailable(`HTTP ${res.status}`);
    return { providerReference: body.providerReference };
  }
}

/** The simulator inside the player process (embedded default: no KYC_PROVIDER_URL). */
export class InProcessSimulatorProvider implements KycProvider {
  readonly name = "simulator";
  constructor(private readonly simulator: KycSimulator) {}

  async requestVerification(req: KycVerificationRequest): Promise<{ providerReference: string }> {
    // Through JSON, so the in-process path sends exactly what the HTTP path would.
    return this.simulator.requestVerification(JSON.parse(JSON.stringify(req)));
  }
}
