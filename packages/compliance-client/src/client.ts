import { setTimeout as sleep } from "node:timers/promises";
import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import type { ServiceName } from "@casino/kernel/config";
import { Agent, request } from "undici";
import {
  COMPLIANCE_API_PREFIX,
  type DepositAnswer,
  type DepositAnswerBody,
  type GameKind,
  type PlayAnswer,
  type PlayAnswerBody,
  type StakeAnswer,
  type StakeAnswerBody,
  type WithdrawalAnswer,
  type WithdrawalAnswerBody,
} from "./protocol.ts";

/**
 * Compliance could not give an answer (unreachable, timed out, failing, or it refused the request
 * itself). Callers fail closed: no answer means no play and no deposit.
 */
export class ComplianceUnavailableError extends Error {
  override readonly name = "ComplianceUnavailableError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

export interface ComplianceClientOptions {
  /** The compliance process, e.g. http://127.0.0.1:4005 (a trailing /graphql is ignored). */
  baseUrl: string;
  serviceTokenSecret: string;
  caller: ServiceName;
  /** Per attempt; a check sits in front of a bet, so it is short. */
  timeoutMs?: number;
  /** Attempts when compliance cannot be reached or fails (5xx). Checks are reads: retrying is safe. */
  attempts?: number;
  connections?: number;
}

/** The checks games and payments ask before a launch, a bet, a deposit or a withdrawal. */
export class ComplianceClient {
  private readonly base: string;
  private readonly signer: ServiceTokenSigner;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly attempts: number;

  constructor(opts: ComplianceClientOptions) {
    this.base = opts.baseUrl.replace(/\/graphql\/?$/, "").replace(/\/$/, "") + COMPLIANCE_API_PREFIX;
    this.signer = new ServiceTokenSigner(opts.serviceTokenSecret, opts.caller, "compliance");
    this.agent = new Agent({ connections: opts.connections ?? 64, keepAliveTimeout: 30_000 });
    this.timeoutMs = opts.timeoutMs ?? 1_000;
    this.attempts = opts.attempts ?? 3;
  }

  async play(input: { playerId: string; gameKind: GameKind }): Promise<PlayAnswer> {
    const body = await this.call<PlayAnswerBody>("/checks/play", input);
    return { ...body, maxStake: body.maxStake === null ? null : BigInt(body.maxStake) };
  }

  async stake(input: { playerId: string; currency: string; amountMinor: bigint; gameKind: GameKind }): Promise<StakeAnswer> {
    const body = await this.call<StakeAnswerBody>("/checks/stake", { playerId: input.playerId, currency: input.currency, amount: input.amountMinor.toString(), gameKind: input.gameKind });
    return { allowed: body.allowed, reasons: body.reasons, maxStake: body.maxStake === null ? null : BigInt(body.maxStake) };
  }

  async deposit(input: { playerId: string; currency: string; amountMinor: bigint }): Promise<DepositAnswer> {
    const body = await this.call<DepositAnswerBody>("/checks/deposit", { playerId: input.playerId, currency: input.currency, amount: input.amountMinor.toString() });
    return { allowed: body.allowed, reasons: body.reasons, remaining: body.remaining === null ? null : BigInt(body.remaining), riskLevel: body.riskLevel ?? null };
  }

  /**
   * Before a withdrawal reserves anything. Throws ComplianceUnavailableError when compliance cannot
   * answer: the caller refuses the withdrawal (fail closed), nothing is reserved.
   */
  async withdrawal(input: { playerId: string; currency: string; amountMinor: bigint }): Promise<WithdrawalAnswer> {
    const body = await this.call<WithdrawalAnswerBody>("/checks/withdrawal", { playerId: input.playerId, currency: input.currency, amount: input.amountMinor.toString() });
    if (typeof body.allowed !== "boolean" || !Array.isArray(body.reasons) || typeof body.reviewRequired !== "boolean" || !Array.isArray(body.reviewReasons)) {
      throw new ComplianceUnavailableError("compliance answered a withdrawal check without allowed, reasons and reviewRequired", 200, undefined);
    }
    return { allowed: body.allowed, reasons: body.reasons, reviewRequired: body.reviewRequired, reviewReasons: body.reviewReasons, riskLevel: body.riskLevel ?? null };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call<T>(path: string, body: unknown): Promise<T> {
    let last: ComplianceUnavailableError | undefined;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await sleep(Math.min(200, 10 * 2 ** attempt));
      try {
        const res = await request(this.base + path, {
          method: "POST",
          dispatcher: this.agent,
          headers: { authorization: `Bearer ${await this.signer.token()}`, "content-type": "application/json" },
          body: JSON.stringify(body),
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        const text = await res.body.text();
        if (res.statusCode === 200) return JSON.parse(text) as T;
        const error = (safeJson(text) as { error?: { code?: string; message?: string } } | undefined)?.error;
        last = new ComplianceUnavailableError(`compliance answered ${res.statusCode}: ${error?.message ?? text.slice(0, 200)}`, res.statusCode, error?.code);
        // A refused request (bad input, not authorised) will be refused again.
        if (res.statusCode < 500) throw last;
      } catch (err) {
        if (err instanceof ComplianceUnavailableError && (err.status ?? 500) < 500) throw err;
        last = err instanceof ComplianceUnavailableError ? err : new ComplianceUnavailableError(`compliance could not be reached: ${(err as Error).message}`, undefined, undefined);
      }
    }
    throw last!;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
