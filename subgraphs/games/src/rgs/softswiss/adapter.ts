/**
 * SoftSwiss-style adapter: POST /play (a balance request without actions, otherwise a batch of bets
 * and wins of one round, all or none) and POST /rollback. X-REQUEST-SIGN HMAC-SHA256 of the raw body.
 * Success: 200 {balance, game_id, transactions: [{action_id, tx_id, processed_at}]}; errors: 412
 * {code, message, balance?}. A rollback of an action never seen succeeds and refuses the action later.
 */
import { z } from "zod";
import type { ConfiguredProvider, RgsAdapter, RgsRequest, RgsResponse } from "../adapter.ts";
import { readBody } from "../body.ts";
import type { Outcome, OutcomeCode, RequestErrorCode, StepResult } from "../model.ts";
import { secretSchema, type Secret } from "../secrets.ts";
import type { GameTransactionService } from "../service.ts";
import { SOFTSWISS_ERRORS, playSchema, rollbackSchema, type SoftswissTransaction } from "./protocol.ts";
import { SOFTSWISS_SIGNATURE_HEADER, verifySoftswiss } from "./signature.ts";

export interface SoftswissCredentials {
  hmacSecret: Secret;
}

type Provider = ConfiguredProvider<SoftswissCredentials>;

const json = (status: number, body: unknown): RgsResponse => ({ status, body: JSON.stringify(body), headers: {} });

function error(code: Exclude<OutcomeCode, "OK"> | RequestErrorCode, balance: bigint | null = null): RgsResponse {
  const e = SOFTSWISS_ERRORS[code];
  return json(412, { code: e.code, message: e.message, ...(balance !== null ? { balance: Number(balance) } : {}) });
}

const transactionOf = (s: StepResult): SoftswissTransaction => ({
  action_id: s.txId,
  // A rollback that found its action already reversed moved nothing: the action id stands for it.
  tx_id: s.walletTransactionId ?? s.txId,
  processed_at: s.processedAt.toISOString(),
});

function answer(result: Outcome, round: string): RgsResponse {
  if (result.code !== "OK") return error(result.code, result.balance);
  return json(200, { balance: Number(result.balance ?? 0n), game_id: round, transactions: result.steps.map(transactionOf) });
}

async function play(request: RgsRequest, provider: Provider, service: GameTransactionService): Promise<RgsResponse> {
  const r = readBody(request.body, playSchema);
  if (!r.ok) return error(r.kind === "syntax" ? "WRONG_SYNTAX" : "WRONG_TYPES");
  const v = r.value;
  if (!v.actions || v.actions.length === 0) {
    const result = await service.balance(provider, { playerId: v.user_id, token: v.session_id ?? null, currency: v.currency, gameCode: v.game });
    return result.code === "OK" ? json(200, { balance: Number(result.balance ?? 0n) }) : error(result.code, result.balance);
  }
  if (new Set(v.actions.map((a) => a.action_id)).size !== v.actions.length) return error("WRONG_SYNTAX");
  const result = await service.batch(provider, {
    playerId: v.user_id,
    token: v.session_id ?? null,
    currency: v.currency,
    gameCode: v.game,
    roundId: v.game_id,
    steps: v.actions.map((a) =>
      a.action === "bet" ? { kind: "BET" as const, txId: a.action_id, amount: BigInt(a.amount), free: false } : { kind: "WIN" as const, txId: a.action_id, amount: BigInt(a.amount) },
    ),
  });
  return answer(result, v.game_id);
}

async function rollback(request: RgsRequest, provider: Provider, service: GameTransactionService): Promise<RgsResponse> {
  const r = readBody(request.body, rollbackSchema);
  if (!r.ok) return error(r.kind === "syntax" ? "WRONG_SYNTAX" : "WRONG_TYPES");
  const v = r.value;
  if (!provider.allowedCurrencies.includes(v.currency)) return error("WRONG_CURRENCY");
  const steps: StepResult[] = [];
  let last: Outcome | null = null;
  // Each rollback stands alone (a rollback cannot itself be undone): applied in order, each once.
  for (const a of v.actions) {
    last = await service.rollback(provider, {
      playerId: v.user_id,
      token: v.session_id ?? null,
      currency: v.currency,
      gameCode: v.game,
      roundId: v.game_id,
      txId: a.action_id,
      betTxId: a.original_action_id,
    });
    if (last.code !== "OK") return error(last.code, last.balance);
    steps.push(...last.steps);
  }
  return answer({ ...last!, steps }, v.game_id);
}

export const softswissAdapter: RgsAdapter<SoftswissCredentials> = {
  protocol: "softswiss",

  credentialFields: [{ name: "hmacSecret", secret: true }],

  credentialsSchema(env) {
    return z.object({ hmacSecret: secretSchema(env) });
  },

  async handle(request, provider, service) {
    if (!provider) return error("INVALID_PARTNER");
    const signature = request.headers[SOFTSWISS_SIGNATURE_HEADER];
    if (!verifySoftswiss(request.body, typeof signature === "string" ? signature : undefined, provider.credentials.hmacSecret.reveal())) {
      return error("INVALID_SIGNATURE");
    }
    switch (request.endpoint) {
      case "/play":
        return play(request, provider, service);
      case "/rollback":
        return rollback(request, provider, service);
      default:
        return error("UNKNOWN_ENDPOINT");
    }
  },

  internalError() {
    return error("UNAVAILABLE");
  },
};
