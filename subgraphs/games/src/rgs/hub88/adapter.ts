/**
 * Hub88 Operator Wallet API adapter: /user/info, /user/balance, /transaction/bet, /transaction/win,
 * /transaction/rollback. Every answer is HTTP 200 with an RS_* status, signed with the operator's key.
 *
 * Choices where the protocol leaves room (docs-drafts/rgs.md has the reasons):
 * - A rollback of a bet we never saw answers RS_OK: Hub88's status list says to answer RS_OK when the
 *   transaction to roll back cannot be found. The rollback is recorded (a wallet tombstone), so the
 *   bet, should it arrive late, is refused with RS_ERROR_TRANSACTION_ROLLED_BACK.
 * - An amount that is no whole number of the currency's minor units is RS_ERROR_WRONG_TYPES.
 * - A user that is no player of ours is RS_ERROR_INVALID_TOKEN (the token cannot be that user's).
 */
import type { KeyObject } from "node:crypto";
import { z } from "zod";
import type { ConfiguredProvider, RgsAdapter, RgsRequest, RgsResponse } from "../adapter.ts";
import { parseJsonObject, readParsed } from "../body.ts";
import { outcome, type Outcome, type OutcomeCode, type RequestErrorCode } from "../model.ts";
import { secretSchema } from "../secrets.ts";
import type { GameTransactionService } from "../service.ts";
import { betSchema, gameCodeOf, rollbackSchema, userBalanceSchema, userInfoSchema, winSchema, type Hub88Answer, type Hub88Status } from "./protocol.ts";
import { HUB88_SIGNATURE_HEADER, hub88PrivateKey, hub88PublicKey, signHub88, signHub88Async, verifyHub88 } from "./signature.ts";
import { hub88ToMinor, minorToHub88 } from "./units.ts";

export interface Hub88Credentials {
  /** The aggregator's key: verifies X-Hub88-Signature on requests. */
  partnerPublicKey: KeyObject;
  /** The operator's key: signs responses. */
  operatorPrivateKey: KeyObject;
}

export function statusOf(code: OutcomeCode | RequestErrorCode): Hub88Status {
  switch (code) {
    case "OK":
      return "RS_OK";
    case "INSUFFICIENT_FUNDS":
      return "RS_ERROR_NOT_ENOUGH_MONEY";
    case "DUPLICATE":
      return "RS_ERROR_DUPLICATE_TRANSACTION";
    case "NOT_FOUND":
      return "RS_ERROR_TRANSACTION_DOES_NOT_EXIST";
    case "ROLLED_BACK":
      return "RS_ERROR_TRANSACTION_ROLLED_BACK";
    case "INVALID_TOKEN":
    case "INVALID_PLAYER":
      return "RS_ERROR_INVALID_TOKEN";
    case "TOKEN_EXPIRED":
      return "RS_ERROR_TOKEN_EXPIRED";
    case "INVALID_GAME":
      return "RS_ERROR_INVALID_GAME";
    case "WRONG_CURRENCY":
      return "RS_ERROR_WRONG_CURRENCY";
    case "LIMIT_REACHED":
      return "RS_ERROR_LIMIT_REACHED";
    case "UNAVAILABLE":
      return "RS_ERROR_UNKNOWN";
    case "INVALID_SIGNATURE":
      return "RS_ERROR_INVALID_SIGNATURE";
    case "INVALID_PARTNER":
      return "RS_ERROR_INVALID_PARTNER";
    case "WRONG_SYNTAX":
    case "UNKNOWN_ENDPOINT":
      return "RS_ERROR_WRONG_SYNTAX";
    case "WRONG_TYPES":
    case "UNREPRESENTABLE_AMOUNT":
      return "RS_ERROR_WRONG_TYPES";
    default: {
      const never: never = code;
      throw new Error(`unmapped outcome ${String(never)}`);
    }
  }
}

type Provider = ConfiguredProvider<Hub88Credentials>;

/** The identifying fields of a request, echoed in every answer once they could be read. */
interface Echo {
  user?: string;
  request_uuid?: string;
}

type ParsedBody = ReturnType<typeof parseJsonObject>;

/** The body parsed once per request: its echo fields and then its schema are read from the same value. */
function echoOf(json: ParsedBody): Echo {
  if (!json.ok) return {};
  const v = json.value;
  return {
    ...(typeof v.user === "string" ? { user: v.user } : {}),
    ...(typeof v.request_uuid === "string" ? { request_uuid: v.request_uuid } : {}),
  };
}

/** An answer before its signature: `signer` is the provider whose operator key signs it. */
interface Unsigned {
  status: number;
  body: string;
  signer: Provider | null;
}

function respond(provider: Provider | null, answer: Hub88Answer): Unsigned {
  return { status: 200, body: JSON.stringify(answer), signer: provider };
}

// Without a configured provider there is no key to sign with (unknown or disabled partner).
async function signed(u: Unsigned): Promise<RgsResponse> {
  return { status: u.status, body: u.body, headers: u.signer ? { [HUB88_SIGNATURE_HEADER]: await signHub88Async(u.body, u.signer.credentials.operatorPrivateKey) } : {} };
}

function signedNow(u: Unsigned): RgsResponse {
  return { status: u.status, body: u.body, headers: u.signer ? { [HUB88_SIGNATURE_HEADER]: signHub88(u.body, u.signer.credentials.operatorPrivateKey) } : {} };
}

function answer(provider: Provider, echo: Echo, result: Outcome): Unsigned {
  const status = statusOf(result.code);
  const a: Hub88Answer = { ...echo, status };
  if (result.balance !== null && result.currency !== null) {
    a.currency = result.currency;
    a.balance = Number(minorToHub88(result.balance, result.currency));
  }
  return respond(provider, a);
}

const refuse = (provider: Provider | null, echo: Echo, code: RequestErrorCode) => respond(provider, { ...echo, status: statusOf(code) });

async function route(request: RgsRequest, json: ParsedBody, provider: Provider, service: GameTransactionService, echo: Echo): Promise<Unsigned> {
  const read = <S extends z.ZodType>(schema: S) => readParsed(json, schema);
  const bad = (r: { kind: "syntax" | "types" }) => refuse(provider, echo, r.kind === "syntax" ? "WRONG_SYNTAX" : "WRONG_TYPES");
  const minor = (amount: number, currency: string) => hub88ToMinor(BigInt(amount), currency);

  switch (request.endpoint) {
    case "/user/info": {
      const r = read(userInfoSchema);
      if (!r.ok) return bad(r);
      const result = await service.balance(provider, { playerId: r.value.user, token: r.value.token ?? null, currency: null, gameCode: null });
      // user/info answers who the user is; a balance is not part of it.
      return respond(provider, { ...echo, status: statusOf(result.code) });
    }
    case "/user/balance": {
      const r = read(userBalanceSchema);
      if (!r.ok) return bad(r);
      const gameCode = r.value.game_code ?? (r.value.game_id === undefined ? null : String(r.value.game_id));
      return answer(provider, echo, await service.balance(provider, { playerId: r.value.user, token: r.value.token ?? null, currency: null, gameCode }));
    }
    case "/transaction/bet": {
      const r = read(betSchema);
      if (!r.ok) return bad(r);
      const v = r.value;
      const amount = minor(v.amount, v.currency);
      if (!provider.allowedCurrencies.includes(v.currency)) return answer(provider, echo, outcome("WRONG_CURRENCY"));
      if (amount === null) return refuse(provider, echo, "UNREPRESENTABLE_AMOUNT");
      const result = await service.bet(provider, {
        playerId: v.user,
        token: v.token,
        currency: v.currency,
        gameCode: gameCodeOf(v),
        roundId: v.round,
        bet: { kind: "BET", txId: v.transaction_uuid, amount, free: v.is_free ?? false },
      });
      return answer(provider, echo, result);
    }
    case "/transaction/win": {
      const r = read(winSchema);
      if (!r.ok) return bad(r);
      const v = r.value;
      const amount = minor(v.amount, v.currency);
      if (!provider.allowedCurrencies.includes(v.currency)) return answer(provider, echo, outcome("WRONG_CURRENCY"));
      if (amount === null) return refuse(provider, echo, "UNREPRESENTABLE_AMOUNT");
      const result = await service.win(provider, {
        playerId: v.user,
        token: v.token ?? null,
        currency: v.currency,
        gameCode: gameCodeOf(v),
        roundId: v.round,
        txId: v.transaction_uuid,
        amount,
        betTxId: v.reference_transaction_uuid,
      });
      return answer(provider, echo, result);
    }
    case "/transaction/rollback": {
      const r = read(rollbackSchema);
      if (!r.ok) return bad(r);
      const v = r.value;
      const result = await service.rollback(provider, {
        playerId: v.user,
        token: v.token ?? null,
        currency: null,
        gameCode: gameCodeOf(v),
        roundId: v.round,
        txId: v.transaction_uuid,
        betTxId: v.reference_transaction_uuid,
      });
      return answer(provider, echo, result);
    }
    default:
      return { ...refuse(provider, echo, "UNKNOWN_ENDPOINT"), status: 404 };
  }
}

/**
 * An RSA key (Hub88 signs RSA-SHA256, PKCS#1 v1.5) read from PEM, or null. A public key field never
 * takes a private key, although one would yield a public key too: public keys are shown to staff.
 */
function readRsaKey(pem: string, kind: "public" | "private"): KeyObject | null {
  if (!pem.includes("-----BEGIN") || (kind === "public" && pem.includes("PRIVATE KEY"))) return null;
  try {
    const key = kind === "public" ? hub88PublicKey(pem) : hub88PrivateKey(pem);
    return key.asymmetricKeyType === "rsa" ? key : null;
  } catch {
    return null;
  }
}

export const hub88Adapter: RgsAdapter<Hub88Credentials> = {
  protocol: "hub88",

  credentialFields: [
    { name: "partnerPublicKey", secret: false },
    { name: "operatorPrivateKey", secret: true },
  ],

  credentialsSchema(env) {
    // Each key is read in its own field's transform, so an issue names the field that failed.
    return z.object({
      partnerPublicKey: z.string().transform((pem, ctx) => {
        const key = readRsaKey(pem.replaceAll("\\n", "\n"), "public");
        if (key) return key;
        ctx.addIssue({ code: "custom", message: "partnerPublicKey must be an RSA public key in PEM" });
        return z.NEVER;
      }),
      operatorPrivateKey: secretSchema(env).transform((secret, ctx) => {
        const key = readRsaKey(secret.reveal(), "private");
        if (key) return key;
        ctx.addIssue({ code: "custom", message: "operatorPrivateKey must be an RSA private key in PEM" });
        return z.NEVER;
      }),
    });
  },

  async handle(request, provider, service) {
    const json = parseJsonObject(request.body);
    const echo = echoOf(json);
    if (!provider) return signed(refuse(null, echo, "INVALID_PARTNER"));
    const signature = request.headers[HUB88_SIGNATURE_HEADER];
    if (!verifyHub88(request.body, typeof signature === "string" ? signature : undefined, provider.credentials.partnerPublicKey)) {
      return signed(refuse(provider, echo, "INVALID_SIGNATURE"));
    }
    return signed(await route(request, json, provider, service, echo));
  },

  internalError(request, provider) {
    return signedNow(respond(provider, { ...echoOf(parseJsonObject(request.body)), status: "RS_ERROR_UNKNOWN" }));
  },
};
