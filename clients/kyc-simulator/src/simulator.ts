import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express } from "express";
import { z } from "zod";
import {
  DOCUMENT_TYPES,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signCallback,
  type VerificationAccepted,
  type VerificationCallback,
  type VerificationRequest,
} from "./protocol.ts";
import { decideOutcome } from "./rules.ts";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date yyyy-mm-dd");
const requestSchema = z.object({
  clientReference: z.string().min(1).max(200),
  callbackUrl: z.url({ protocol: /^https?$/ }),
  person: z.object({
    firstName: z.string().min(1).max(100),
    lastName: z.string().min(1).max(100),
    dateOfBirth: isoDate,
    address: z.object({
      line1: z.string().min(1).max(200),
      line2: z.string().max(200).nullable(),
      city: z.string().min(1).max(100),
      postcode: z.string().min(1).max(16),
      country: z.string().length(2),
    }),
  }),
  documents: z
    .array(
      z.object({
        type: z.enum(DOCUMENT_TYPES),
        issuingCountry: z.string().length(2),
        expiresOn: isoDate.nullable(),
        numberLast4: z.string().min(1).max(4),
      }),
    )
    .max(20),
});

export class InvalidVerificationRequest extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = "InvalidVerificationRequest";
  }
}

export interface KycSimulatorOptions {
  /** Shared with the receiver, which checks the callbacks' signatures with it. */
  secret: string;
  /** From accepting a request to the first callback attempt. Default 1,000 ms. */
  callbackDelayMs?: number;
  /** First retry delay, doubled per failed attempt up to `maxRetryDelayMs`. Defaults 250 ms and 30 s. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Attempts per callback before giving up; 0 (default) retries until a 2xx answer or close(). */
  maxAttempts?: number;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** One callback as last sent, exactly: tests replay it to prove the receiver is idempotent. */
export interface SentCallback {
  url: string;
  body: string;
  headers: Record<string, string>;
  attempts: number;
  /** Status of the last answer; undefined while the request failed without one. */
  status: number | undefined;
  delivered: boolean;
}

/**
 * An asynchronous verification provider: accepts a request (HTTP 202, or in-process through
 * requestVerification), decides it by fixed rules (rules.ts), and after a delay POSTs a signed
 * callback, retrying with backoff until it gets a 2xx answer.
 */
export class KycSimulator {
  readonly app: Express;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sent = new Map<string, SentCallback>();
  private server: http.Server | undefined;
  private closed = false;
  /** From accepting a request to the first callback attempt; tests may change it between requests. */
  callbackDelayMs: number;

  constructor(private readonly opts: KycSimulatorOptions) {
    this.callbackDelayMs = opts.callbackDelayMs ?? 1_000;
    if (opts.secret.length < 32) throw new Error("The KYC simulator's secret must be at least 32 characters");
    this.app = express();
    this.app.disable("x-powered-by");
    this.app.post("/verifications", express.json({ limit: "64kb" }), (req, res) => {
      try {
        res.status(202).json(this.requestVerification(req.body));
      } catch (err) {
        if (!(err instanceof InvalidVerificationRequest)) throw err;
        res.status(400).json({ error: { code: "BAD_REQUEST", field: err.field, message: err.message } });
      }
    });
    this.app.get("/healthz", (_req, res) => {
      res.json({ status: "ok", service: "kyc-simulator" });
    });
  }

  /** Accepts a verification request and schedules its callback. */
  requestVerification(body: unknown): VerificationAccepted {
    if (this.closed) throw new Error("The KYC simulator is closed");
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join(".") || "body";
      throw new InvalidVerificationRequest(field, `${field}: ${issue.message}`);
    }
    const request: VerificationRequest = parsed.data;
    const providerReference = `sim_${randomUUID()}`;
    const outcome = decideOutcome(request, this.now());
    const callback: VerificationCallback = {
      providerReference,
      clientReference: request.clientReference,
      result: outcome.result,
      reasons: outcome.reasons,
      decidedAt: this.now().toISOString(),
    };
    this.log("verification accepted", { providerReference, clientReference: request.clientReference, result: outcome.result });
    this.schedule(() => this.deliver(request.callbackUrl, callback, 1), this.callbackDelayMs);
    return { providerReference, status: "PENDING" };
  }

  /** The last attempt of the callback for a provider reference, as sent. */
  sentCallback(providerReference: string): SentCallback | undefined {
    return this.sent.get(providerReference);
  }

  /** Resolves when no callback is scheduled or being sent (tests). */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.inFlight.size > 0) {
      await Promise.all([...this.inFlight]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async listen(port: number, host = "0.0.0.0"): Promise<string> {
    const server = http.createServer(this.app);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return `http://localhost:${(server.address() as AddressInfo).port}`;
  }

  /** Stops accepting requests and drops the callbacks not yet delivered. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.inFlight]);
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  private async deliver(url: string, callback: VerificationCallback, attempt: number): Promise<void> {
    const body = JSON.stringify(callback);
    const timestamp = String(Math.floor(this.now().getTime() / 1000));
    const headers = {
      "content-type": "application/json",
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signCallback(this.opts.secret, timestamp, body),
    };
    const record: SentCallback = { url, body, headers, attempts: attempt, status: undefined, delivered: false };
    this.sent.set(callback.providerReference, record);
    try {
      const res = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer();
      record.status = res.status;
      record.delivered = res.ok;
    } catch (err) {
      this.log("callback failed", { providerReference: callback.providerReference, attempt, error: (err as Error).message });
    }
    if (record.delivered) {
      this.log("callback delivered", { providerReference: callback.providerReference, attempt, status: record.status });
      return;
    }
    const maxAttempts = this.opts.maxAttempts ?? 0;
    if (maxAttempts > 0 && attempt >= maxAttempts) {
      this.log("callback abandoned", { providerReference: callback.providerReference, attempts: attempt, status: record.status });
      return;
    }
    const delay = Math.min(this.opts.maxRetryDelayMs ?? 30_000, (this.opts.retryDelayMs ?? 250) * 2 ** (attempt - 1));
    this.schedule(() => this.deliver(url, callback, attempt + 1), delay);
  }

  private schedule(task: () => Promise<void>, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const running = task().finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }, delayMs);
    this.timers.add(timer);
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private log(message: string, fields: Record<string, unknown>): void {
    this.opts.log?.(message, fields);
  }
}
