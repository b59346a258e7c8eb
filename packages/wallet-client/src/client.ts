import { setTimeout as sleep } from "node:timers/promises";
import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import type { ServiceName } from "@casino/kernel/config";
import { Agent, request } from "undici";
import { INTERNAL_API_PREFIX, type WalletBalance, type WalletCommand, type WalletErrorBody, type WalletErrorCode, type WalletTransactionResult } from "./protocol.ts";

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
}

/**
 * The wallet's internal API for games and payments. Every command carries an idempotency key, so a
 * command whose answer was lost (timeout, reset connection, wallet restarted) is simply sent again:
 * the wallet answers with the first result and moves no money twice. Refusals (4xx) are not retried.
 */
export class WalletClient {
  private readonly base: string;
  private readonly signer: ServiceTokenSigner;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly attempts: number;

  constructor(opts: WalletClientOptions) {
    this.base = opts.baseUrl.replace(/\/graphql\/?$/, "").replace(/\/$/, "") + INTERNAL_API_PREFIX;
    this.signer = new ServiceTokenSigner(opts.serviceTokenSecret, opts.caller, "wallet");
    this.agent = new Agent({ connections: opts.connections ?? 64, keepAliveTimeout: 30_000 });
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.attempts = opts.attempts ?? 4;
  }

  post(command: WalletCommand): Promise<WalletTransactionResult> {
    return this.call<WalletTransactionResult>("POST", "/transactions", command);
  }

  balance(playerId: string, currency: string): Promise<WalletBalance> {
    return this.call<WalletBalance>("GET", `/balance?playerId=${encodeURIComponent(playerId)}&currency=${encodeURIComponent(currency)}`);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(Math.min(1_000, 25 * 2 ** attempt));
      try {
        const res = await request(this.base + path, {
          method,
          dispatcher: this.agent,
          headers: { authorization: `Bearer ${await this.signer.token()}`, ...(body ? { "content-type": "application/json" } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        const text = await res.body.text();
        if (res.statusCode < 300) return JSON.parse(text) as T;
        const parsed = safeJson(text) as WalletErrorBody | undefined;
        const error = new WalletApiError(parsed?.error?.code ?? "INTERNAL_SERVER_ERROR", parsed?.error?.message ?? `wallet answered ${res.statusCode}`, res.statusCode, parsed?.error);
        if (res.statusCode < 500) throw error;
        lastError = error;
      } catch (err) {
        if (err instanceof WalletApiError && err.status < 500) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
