import { randomUUID } from "node:crypto";
import {
  gamstopForm,
  normaliseGamstopRequest,
  outcomeFromExclusionHeader,
  type GamstopCheckRequest,
  type GamstopOutcome,
} from "./request.ts";

/** The evidence of one successful check. */
export interface GamstopCheck {
  outcome: GamstopOutcome;
  /** GAMSTOP's X-Unique-Id for this check: keep it as the evidence that the check was made. */
  uniqueId: string;
  /** GAMSTOP's Date header, or the local time of the answer when it sent none (or an unreadable one). */
  checkedAt: Date;
  /** The X-Trace-Id sent (the caller's, or a generated UUID). */
  traceId: string;
}

export type GamstopUnavailableReason =
  /** No answer within the client's timeout. */
  | "TIMEOUT"
  /** Connection refused or reset, DNS failure, TLS failure... */
  | "NETWORK"
  /** 401/403: missing or wrong API key, or the caller's IP address not allowed (configuration). */
  | "UNAUTHORIZED"
  /** 404: the API URL is wrong (configuration). */
  | "NOT_FOUND"
  /** 405: the URL does not take POST, i.e. it is not the check endpoint (configuration). */
  | "METHOD_NOT_ALLOWED"
  /** 400: GAMSTOP refused fields this client had accepted. */
  | "REJECTED"
  /** 429 */
  | "RATE_LIMITED"
  /** 5xx */
  | "SERVER_ERROR"
  /** Any other status that is not 2xx, redirects included (they are not followed). */
  | "UNEXPECTED_STATUS"
  /** 2xx without X-Exclusion. */
  | "MISSING_EXCLUSION"
  /** 2xx with an X-Exclusion other than Y, N or P. */
  | "UNKNOWN_EXCLUSION"
  /** 2xx without X-Unique-Id (no evidence of the check). */
  | "MISSING_UNIQUE_ID";

const CONFIGURATION_REASONS: ReadonlySet<GamstopUnavailableReason> = new Set(["UNAUTHORIZED", "NOT_FOUND", "METHOD_NOT_ALLOWED"]);

/**
 * GAMSTOP could not say whether the person is self-excluded. The caller must treat the person as
 * not verified: no registration and no play until a check succeeds. The message carries no personal
 * data and no key.
 */
export class GamstopUnavailableError extends Error {
  override readonly name: string = "GamstopUnavailableError";
  /** False for configuration problems (GamstopConfigurationError): retrying will not help. */
  readonly retryable: boolean = true;
  constructor(
    readonly reason: GamstopUnavailableReason,
    readonly traceId: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`GAMSTOP check unavailable: ${reason}${status === undefined ? "" : ` (HTTP ${status})`}`, options?.cause === undefined ? undefined : options);
  }
}

/**
 * A GamstopUnavailableError caused by this operator's setup (wrong key, IP not allowed, wrong URL), not
 * by GAMSTOP being down. It still means "cannot verify" (it is a GamstopUnavailableError), but it will
 * not go away by retrying and should page someone.
 */
export class GamstopConfigurationError extends GamstopUnavailableError {
  override readonly name: string = "GamstopConfigurationError";
  override readonly retryable: boolean = false;
}

/** Structured logger (pino-like). Only the trace id, the reason and the HTTP status are ever logged. */
export interface GamstopLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface GamstopClientOptions {
  /** The operator's GAMSTOP API URL; checks are POSTed to it as it is. */
  baseUrl: string;
  apiKey: string;
  /** Until the response headers arrive, connection included. Defaults to 2000 ms. */
  timeoutMs?: number;
  logger?: GamstopLogger;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** The clock for checkedAt when GAMSTOP sends no Date, and for the date-of-birth bound. */
  now?: () => Date;
}

export const DEFAULT_GAMSTOP_TIMEOUT_MS = 2_000;

/**
 * Client of the GAMSTOP self-exclusion check. One `check` = one POST; it does not retry (the caller
 * decides, see GamstopUnavailableError.retryable). Every failure to get a well-formed answer throws
 * GamstopUnavailableError; an invalid request throws GamstopRequestError before anything is sent.
 */
export class GamstopClient {
  readonly #url: string;
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #logger: GamstopLogger | undefined;
  readonly #fetch: typeof fetch;
  readonly #now: () => Date;

  constructor(options: GamstopClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError("GamstopClient: baseUrl must be an absolute URL");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError("GamstopClient: baseUrl must be http(s)");
    if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") throw new TypeError("GamstopClient: apiKey is required");
    const timeoutMs = options.timeoutMs ?? DEFAULT_GAMSTOP_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError("GamstopClient: timeoutMs must be a positive number");
    this.#url = url.href;
    this.#apiKey = options.apiKey;
    this.#timeoutMs = timeoutMs;
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? fetch;
    this.#now = options.now ?? (() => new Date());
  }

  async check(req: GamstopCheckRequest): Promise<GamstopCheck> {
    const normalised = normaliseGamstopRequest(req, this.#now());
    const traceId = normalised.traceId ?? randomUUID();

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.#timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(this.#url, {
        method: "POST",
        headers: {
          "x-api-key": this.#apiKey,
          "x-trace-id": traceId,
          "content-type": "application/x-www-form-urlencoded",
          accept: "*/*",
        },
        body: gamstopForm(normalised).toString(),
        // A redirect would carry X-API-Key to wherever it points; GAMSTOP has no reason to send one.
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (err) {
      throw this.#unavailable(controller.signal.aborted ? "TIMEOUT" : "NETWORK", traceId, undefined, err);
    } finally {
      clearTimeout(timer);
    }
    // The answer is in the headers; the body (if any) is not needed.
    await response.body?.cancel().catch(() => undefined);

    if (response.status < 200 || response.status > 299) throw this.#unavailable(reasonForStatus(response.status), traceId, response.status);

    const exclusion = response.headers.get("x-exclusion");
    if (exclusion === null || exclusion.trim() === "") throw this.#unavailable("MISSING_EXCLUSION", traceId, response.status);
    const outcome = outcomeFromExclusionHeader(exclusion);
    if (outcome === undefined) throw this.#unavailable("UNKNOWN_EXCLUSION", traceId, response.status);
    const uniqueId = response.headers.get("x-unique-id")?.trim();
    if (!uniqueId) throw this.#unavailable("MISSING_UNIQUE_ID", traceId, response.status);

    const date = response.headers.get("date");
    const fromHeader = date === null ? undefined : new Date(date);
    const checkedAt = fromHeader !== undefined && !Number.isNaN(fromHeader.getTime()) ? fromHeader : this.#now();
    return { outcome, uniqueId, checkedAt, traceId };
  }

  #unavailable(reason: GamstopUnavailableReason, traceId: string, status?: number, cause?: unknown): GamstopUnavailableError {
    const error = CONFIGURATION_REASONS.has(reason)
      ? new GamstopConfigurationError(reason, traceId, status, { cause })
      : new GamstopUnavailableError(reason, traceId, status, { cause });
    this.#logger?.warn({ traceId, reason, ...(status === undefined ? {} : { status }) }, error.message);
    return error;
  }
}

function reasonForStatus(status: number): GamstopUnavailableReason {
  if (status === 401 || status === 403) return "UNAUTHORIZED";
  if (status === 404) return "NOT_FOUND";
  if (status === 405) return "METHOD_NOT_ALLOWED";
  if (status === 400) return "REJECTED";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "SERVER_ERROR";
  return "UNEXPECTED_STATUS";
}
