import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import { appError } from "@casino/kernel/errors";
import type { Logger } from "@casino/kernel/logger";

export interface GamstopSubject {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  email: string;
  postcode: string;
}

/** A screening's answer, carried by player.registered so compliance keeps it as evidence. */
export interface GamstopScreening {
  outcome: "EXCLUDED" | "NOT_REGISTERED" | "PREVIOUSLY_EXCLUDED";
  uniqueId: string;
  traceId: string;
  checkedAt: string;
}

/**
 * GAMSTOP screening at registration, through compliance's check API (compliance owns the GAMSTOP
 * integration and its evidence). A self-excluded person gets no account; when GAMSTOP cannot be
 * asked, the registration waits ("cannot verify", LCCP SR 3.5.5): nothing is written either way.
 */
export class ComplianceGamstopScreen {
  private readonly signer: ServiceTokenSigner;
  private readonly url: string;

  constructor(
    complianceUrl: string,
    secret: string,
    private readonly log: Logger,
    private readonly timeoutMs = 5_000,
  ) {
    this.url = `${complianceUrl.replace(/\/graphql\/?$/, "").replace(/\/$/, "")}/internal/compliance/v1/gamstop/screen`;
    this.signer = new ServiceTokenSigner(secret, "player", "compliance");
  }

  async screen(subject: GamstopSubject): Promise<GamstopScreening> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await this.signer.token()}` },
        body: JSON.stringify(subject),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "GAMSTOP screening unreachable; registration refused for now");
      throw unavailable();
    }
    const body = (await res.json().catch(() => ({}))) as Partial<GamstopScreening> & { error?: { field?: string } };
    if (res.status === 400) throw appError("BAD_USER_INPUT", "These details cannot be checked with GAMSTOP; please correct them", { field: body.error?.field ?? "postcode" });
    if (res.status !== 200 || !body.outcome || !body.uniqueId || !body.traceId || !body.checkedAt) {
      this.log.warn({ status: res.status }, "GAMSTOP screening failed; registration refused for now");
      throw unavailable();
    }
    if (body.outcome === "EXCLUDED") {
      throw appError("SELF_EXCLUDED", "You are registered with GAMSTOP, the national online self-exclusion scheme: we cannot open an account for you while it lasts");
    }
    return { outcome: body.outcome, uniqueId: body.uniqueId, traceId: body.traceId, checkedAt: body.checkedAt };
  }
}

const unavailable = () => appError("SERVICE_UNAVAILABLE", "We cannot complete the self-exclusion check right now; please try again in a few minutes");
