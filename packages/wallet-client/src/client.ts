import { setTimeout as sleep } from "node:timers/promises";
import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import type { ServiceName } from "@casino/kernel/config";
import { Agent, request } from "undici";
import {
  INTERNAL_API_PREFIX,
  MAX_BATCH_COMMANDS,
  type WalletBalance,
  type WalletBatchResponse,
  type WalletCommand,
  type WalletErrorBody,
  type WalletErrorCode,
  type WalletTransactionResult,
} from "./protocol.ts";

export class WalletApiError extends Error {
  override readonly name = "WalletApiError";
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    readonly status: number,
    readonly details: WalletErrorBody["error"] | undefined,
  ) {
    super(message);
  }
}

export interface WalletBatchingOptions {
  /** HTTP requests to the wallet's transaction endpoints in flight at once (1 or more). */
  maxInFlight: number;
  /** Commands one request carries at most (1 to 64; with 1, requests are only limited, never combined). */
  maxBatch: number;
}

export interface WalletClientOptions {
  /** The wallet process, e.g. http://127.0.0.1:4002 (a trailing /graphql is ignored). */
  baseUrl: string;
  serviceTokenSecret: string;
  caller: ServiceName;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts for one command when the wallet cannot be reached or fails (5xx). */
  attempts?: number;
  connections?: number;
  /**
   * Opt-in batching of post() (see WalletClient). Unset: each command is its own request, as many
   * in flight as callers send. Needs a wallet that serves POST /transactions/batch; against one that
   * does not, each command is sent again alone.
   */
  batch?: WalletBatchingOptions;
}

/** What one attempt came to. */
type Outcome<T> =
  | { kind: "answered"; value: T }
  /** A refusal (4xx): final, never retried. */
  | { kind: "refused"; error: WalletApiError }
  /** Unreachable, reset, timed out, or a 5xx: worth another attempt under the same idempotency key. */
  | { kind: "failed"; error: unknown };

/** A command of the batching mode, between post() and its answer. */
interface QueuedCommand {
  json: string;
  /** Attempts made so far. */
  attempts: number;
  /** To be sent by itself on POST /transactions: the wallet failed it (5xx) inside a batch, or refused a batch as a whole. */
  alone: boolean;
  resolve(result: WalletTransactionResult): void;
  reject(err: unknown): void;
}

const backoffMs = (attempt: number) => Math.min(1_000, 25 * 2 ** attempt);

/**
 * The wallet's internal API for games and payments. Every command carries an idempotency key, so a
 * command whose answer was lost (timeout, reset connection, wallet restarted) is simply sent again:
 * the wallet answers with the first result and moves no money twice. Refusals (4xx) are not retried.
 *
 * Batching (option `batch`): at most `maxInFlight` requests to the transaction endpoints are in
 * flight. A command that finds a free slot is sent at once, alone, on POST /transactions, so an idle
 * client is exactly as fast as without batching; the commands that arrive while every slot is busy
 * wait and go together (up to `maxBatch`) in the next request, on POST /transactions/batch. No timer
 * holds anything back. Each command keeps the semantics of its own request: its refusal rejects only
 * its promise, with the same WalletApiError; a batch request that is lost, times out or fails (5xx)
 * is sent again after the same backoff, within each command's attempts; a command the wallet failed
 * (5xx) inside a batch is retried alone within its remaining attempts. Retries wait for their backoff
 * without holding a slot.
 */
export class WalletClient {
  private readonly base: string;
  private readonly signer: ServiceTokenSigner;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly batching: WalletBatchingOptions | undefined;
  /** Batching: commands waiting for a free slot, oldest first. */
  private readonly waiting: QueuedCommand[] = [];
  private inFlight = 0;

  constructor(opts: WalletClientOptions) {
    if (opts.batch) assertBatching(opts.batch);
    this.base = opts.baseUrl.replace(/\/graphql\/?$/, "").replace(/\/$/, "") + INTERNAL_API_PREFIX;
    this.signer = new ServiceTokenSigner(opts.serviceTokenSecret, opts.caller, "wallet");
    this.agent = new Agent({ connections: opts.connections ?? 64, keepAliveTimeout: 30_000 });
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.attempts = opts.attempts ?? 4;
    this.batching = opts.batch;
  }

  post(command: WalletCommand): Promise<WalletTransactionResult> {
    if (!this.batching) return this.call<WalletTransactionResult>("POST", "/transactions", command);
    let json: string;
    try {
      json = JSON.stringify(command);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ json, attempts: 0, alone: false, resolve, reject });
      this.pump();
    });
  }

  balance(playerId: string, currency: string): Promise<WalletBalance> {
    return this.call<WalletBalance>("GET", `/balance?playerId=${encodeURIComponent(playerId)}&currency=${encodeURIComponent(currency)}`);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const json = body === undefined ? undefined : JSON.stringify(body);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(backoffMs(attempt));
      const outcome = await this.attempt<T>(method, path, json);
      if (outcome.kind === "answered") return outcome.value;
      if (outcome.kind === "refused") throw outcome.error;
      lastError = outcome.error;
    }
    throw lastError;
  }

  /** One request; throws what undici throws (unreachable, reset, timed out). */
  private async exchange(method: "GET" | "POST", path: string, json: string | undefined): Promise<{ status: number; text: string }> {
    const res = await request(this.base + path, {
      method,
      dispatcher: this.agent,
      headers: { authorization: `Bearer ${await this.signer.token()}`, ...(json !== undefined ? { "content-type": "application/json" } : {}) },
      body: json,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    return { status: res.statusCode, text: await res.body.text() };
  }

  private async attempt<T>(method: "GET" | "POST", path: string, json: string | undefined): Promise<Outcome<T>> {
    try {
      const { status, text } = await this.exchange(method, path, json);
      return status < 300 ? { kind: "answered", value: JSON.parse(text) as T } : refusalOrFailure(status, safeJson(text));
    } catch (err) {
      return { kind: "failed", error: err };
    }
  }

  /**
   * One POST /transactions/batch: each command's outcome, or, when the wallet did not answer the
   * commands one by one, the outcome of the request as a whole.
   */
  private async attemptBatch(jsons: string[]): Promise<Outcome<Array<Outcome<WalletTransactionResult>>>> {
    try {
      const { status, text } = await this.exchange("POST", "/transactions/batch", `{"commands":[${jsons.join(",")}]}`);
      if (status >= 300) return refusalOrFailure(status, safeJson(text));
      const { results } = JSON.parse(text) as WalletBatchResponse;
      if (!Array.isArray(results) || results.length !== jsons.length || results.some((r) => typeof r?.status !== "number")) {
        throw new Error(`the wallet answered a batch of ${jsons.length} commands without one result (a status and a body) per command`);
      }
      return { kind: "answered", value: results.map((r) => (r.status < 300 ? { kind: "answered", value: r.body as WalletTransactionResult } : refusalOrFailure(r.status, r.body))) };
    } catch (err) {
      return { kind: "failed", error: err };
    }
  }

  /** Starts requests while slots are free: a command due alone, or the next waiting commands together. */
  private pump(): void {
    const { maxInFlight, maxBatch } = this.batching!;
    while (this.inFlight < maxInFlight && this.waiting.length > 0) {
      let n = 1;
      if (!this.waiting[0]!.alone) while (n < maxBatch && n < this.waiting.length && !this.waiting[n]!.alone) n++;
      this.inFlight++;
      void this.send(this.waiting.splice(0, n));
    }
  }

  /** One request for `group` (never rejects: every outcome is settled or retried). */
  private async send(group: QueuedCommand[]): Promise<void> {
    for (const q of group) q.attempts++;
    const outcome: Outcome<Array<Outcome<WalletTransactionResult>>> =
      group.length === 1
        ? { kind: "answered", value: [await this.attempt<WalletTransactionResult>("POST", "/transactions", group[0]!.json)] }
        : await this.attemptBatch(group.map((q) => q.json));
    // The request is over: its slot is free before any caller hears of its commands.
    this.inFlight--;
    if (outcome.kind === "answered") {
      this.settle(group, outcome.value, { failedGoAlone: group.length > 1 });
    } else if (outcome.kind === "refused") {
      // A batch refused as a whole (a wallet without the endpoint, a body over its limit, a token it
      // does not accept) before any command was posted: that says nothing about the commands, so
      // each is sent again alone, at once and without spending an attempt, and gets its own answer.
      for (const q of group) {
        q.attempts--;
        q.alone = true;
      }
      this.waiting.unshift(...group);
    } else {
      this.settle(
        group,
        group.map(() => outcome),
      );
    }
    this.pump();
  }

  /** Resolves or rejects each command, or lets it wait for its next attempt. */
  private settle(group: QueuedCommand[], outcomes: Array<Outcome<WalletTransactionResult>>, opts: { failedGoAlone?: boolean } = {}): void {
    const retries = new Map<number, QueuedCommand[]>();
    group.forEach((q, i) => {
      const outcome = outcomes[i]!;
      if (outcome.kind === "answered") q.resolve(outcome.value);
      else if (outcome.kind === "refused" || q.attempts >= this.attempts) q.reject(outcome.error);
      else {
        if (opts.failedGoAlone) q.alone = true;
        const delay = backoffMs(q.attempts + 1);
        retries.set(delay, [...(retries.get(delay) ?? []), q]);
      }
    });
    // One timer per backoff, so that commands that failed together are sent again together.
    for (const [delay, commands] of retries) {
      void sleep(delay).then(() => {
        this.waiting.unshift(...commands);
        this.pump();
      });
    }
  }
}

/** The answer to a status of 300 or more (and its body, if JSON) as the client reports it. */
function refusalOrFailure(status: number, body: unknown): Outcome<never> {
  const details = (body as Partial<WalletErrorBody> | null | undefined)?.error;
  const error = new WalletApiError(details?.code ?? "INTERNAL_SERVER_ERROR", details?.message ?? `wallet answered ${status}`, status, details);
  return status < 500 ? { kind: "refused", error } : { kind: "failed", error };
}

function assertBatching(b: WalletBatchingOptions): void {
  if (!Number.isInteger(b.maxInFlight) || b.maxInFlight < 1) throw new RangeError(`batch.maxInFlight must be an integer of at least 1 (got ${b.maxInFlight})`);
  if (!Number.isInteger(b.maxBatch) || b.maxBatch < 1 || b.maxBatch > MAX_BATCH_COMMANDS) {
    throw new RangeError(`batch.maxBatch must be an integer from 1 to ${MAX_BATCH_COMMANDS} (got ${b.maxBatch})`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
