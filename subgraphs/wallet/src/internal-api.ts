import { ServiceTokenError, type ServiceTokenVerifier } from "@casino/kernel/auth/service-tokens";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import type { Logger } from "@casino/kernel/logger";
import { assertCurrency, parseMoney } from "@casino/kernel/money";
import {
  CALLER_PERMISSIONS,
  INTERNAL_API_PREFIX,
  MAX_BATCH_COMMANDS,
  STATUS_OF,
  type WalletBalance,
  type WalletErrorBody,
  type WalletErrorCode,
  type WalletTransactionResult,
} from "@casino/wallet-client/protocol";
import type { IncomingMessage, ServerResponse } from "node:http";
import { JsonBodyError, isPlainJson, readJsonBody, writeJson } from "@casino/kernel/http/json-body";
import type { RunningHttpServer } from "@casino/kernel/http/server";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { GraphQLError } from "graphql";
import { z } from "zod";
import type { Ledger, PostedTransaction } from "./ledger/ledger.ts";
import { TRANSACTION_TYPES, assertPlayerId } from "./ledger/rules.ts";

const commandSchema = z.object({
  type: z.enum(TRANSACTION_TYPES as [string, ...string[]]),
  playerId: z.string(),
  currency: z.string(),
  amount: z.string().regex(/^-?\d{1,20}$/, "must be an integer number of minor units, as a string"),
  idempotencyKey: z.string(),
  refKey: z.string().nullish(),
  counterRef: z.string().optional(),
  reference: z.record(z.string(), z.unknown()).optional(),
});

const batchSchema = z.object({ commands: z.array(z.unknown()).min(1).max(MAX_BATCH_COMMANDS) });

function toResult(t: PostedTransaction): WalletTransactionResult {
  return {
    id: t.id,
    type: t.type,
    playerId: t.playerId,
    currency: t.currency,
    idempotencyKey: t.idempotencyKey,
    refKey: t.refKey,
    cashAmount: t.amount.toString(),
    cashBalance: t.balanceAfter.toString(),
    bonusAmount: t.bonusAmount.toString(),
    bonusBalance: t.bonusBalanceAfter.toString(),
    reservedAmount: t.reservedAmount.toString(),
    reservedBalance: t.reservedBalanceAfter.toString(),
    walletVersion: t.walletVersion.toString(),
    createdAt: t.createdAt.toISOString(),
    replayed: t.replayed,
  };
}

class ApiError extends Error {
  constructor(
    readonly code: WalletErrorCode,
    message: string,
    readonly extra: Omit<WalletErrorBody["error"], "code" | "message"> = {},
  ) {
    super(message);
  }
}

/** The first problem zod found, naming its field ("body" for the body as a whole). */
function inputError(error: z.ZodError): ApiError {
  const issue = error.issues[0]!;
  const field = issue.path.join(".") || "body";
  return new ApiError("BAD_USER_INPUT", `${field}: ${issue.message}`, { field });
}

/** Domain errors of the ledger (GraphQL errors with a code) in the internal API's terms. */
function fromLedgerError(err: GraphQLError, currency: string | undefined): ApiError {
  const ext = err.extensions as { code?: string; field?: string; balance?: { amount: string }; bonusBalance?: { amount: string } };
  const code = (ext.code ?? "INTERNAL_SERVER_ERROR") as WalletErrorCode;
  if (!(code in STATUS_OF)) return new ApiError("INTERNAL_SERVER_ERROR", "Internal error");
  const extra: Omit<WalletErrorBody["error"], "code" | "message"> = {};
  if (ext.field) extra.field = ext.field;
  // The ledger reports balances as GraphQL Money; this API speaks minor units.
  const minor = (m: { amount: string } | undefined) => (m && currency ? parseMoney(m.amount, currency).minor.toString() : undefined);
  const cash = minor(ext.balance);
  const bonus = minor(ext.bonusBalance);
  if (cash !== undefined) extra.cashBalance = cash;
  if (bonus !== undefined) extra.bonusBalance = bonus;
  return new ApiError(code, err.message, extra);
}

export interface InternalApiOptions {
  ledger: Ledger;
  sql: SqlExecutor;
  verifier: ServiceTokenVerifier;
  log: Logger;
  /**
   * Test-only fault injection (WALLET_FAILPOINT=exit-after-commit): the process dies after a
   * command has committed and before it answers, as a crash or an OOM kill would.
   */
  exitAfterCommit?: boolean;
}

/** An answer of the internal API: a status and a JSON body. */
interface Reply {
  status: number;
  body: unknown;
}

const errorReply = (err: ApiError): Reply => ({ status: STATUS_OF[err.code], body: { error: { code: err.code, message: err.message, ...err.extra } } satisfies WalletErrorBody });
const INTERNAL_ERROR = new ApiError("INTERNAL_SERVER_ERROR", "Internal error");
const BAD_BODY = new ApiError("BAD_USER_INPUT", "The body must be a JSON object of at most 64 kB", { field: "body" });
const MAX_BODY_BYTES = 64 * 1024;
const BATCH_PATH = "/transactions/batch";
// 64 commands of up to 16 kB each; a single command keeps its 64 kB.
const BAD_BATCH_BODY = new ApiError("BAD_USER_INPUT", "The body must be a JSON object of at most 1 MiB", { field: "body" });
const MAX_BATCH_BODY_BYTES = 1024 * 1024;

/**
 * Whether POST /transactions would read this command of a batch as its body: a JSON object or array
 * within the single command's limit (measured on the command written back as JSON).
 */
const isReadableAsBody = (value: unknown): boolean =>
  value !== null && typeof value === "object" && Buffer.byteLength(JSON.stringify(value)) <= MAX_BODY_BYTES;

/**
 * The operations of the internal API, whatever carries the request (the express router or the
 * fast routes below). `undefined`: the process is exiting (test failpoint) and answers nothing.
 */
function operations(opts: InternalApiOptions) {
  const authenticate = async (authorization: string | undefined): Promise<string | ApiError> => {
    try {
      return await opts.verifier.callerOf(authorization);
    } catch (err) {
      if (!(err instanceof ServiceTokenError)) throw err;
      return new ApiError("UNAUTHENTICATED", err.message);
    }
  };

  /**
   * One command from an authenticated caller, validated, permission-checked and posted: the answer
   * of POST /transactions, and of each command of a batch. An unexpected failure is this command's
   * 500, so that the other commands of a batch keep their answers.
   */
  async function postCommand(caller: string, body: unknown): Promise<Reply | undefined> {
    const parsed = commandSchema.safeParse(body);
    if (!parsed.success) return errorReply(inputError(parsed.error));
    const cmd = parsed.data;
    if (!(CALLER_PERMISSIONS[caller] ?? []).includes(cmd.type as never)) {
      return errorReply(new ApiError("FORBIDDEN", `The ${caller} service may not post ${cmd.type} transactions`));
    }
    let posted: PostedTransaction;
    try {
      posted = await opts.ledger.post({
        type: cmd.type as PostedTransaction["type"],
        playerId: cmd.playerId,
        currency: cmd.currency,
        amount: BigInt(cmd.amount),
        idempotencyKey: cmd.idempotencyKey,
        refKey: cmd.refKey ?? null,
        counterRef: cmd.counterRef ?? "",
        reference: cmd.reference ?? {},
      });
    } catch (err) {
      if (err instanceof GraphQLError) return errorReply(fromLedgerError(err, cmd.currency));
      opts.log.error({ err }, "internal API error");
      return errorReply(INTERNAL_ERROR);
    }
    if (opts.exitAfterCommit && !posted.replayed) {
      opts.log.warn({ key: posted.idempotencyKey }, "failpoint exit-after-commit: exiting before the answer");
      process.kill(process.pid, "SIGKILL");
      return undefined;
    }
    return { status: 200, body: toResult(posted) };
  }

  async function postTransaction(authorization: string | undefined, body: unknown): Promise<Reply | undefined> {
    const caller = await authenticate(authorization);
    if (caller instanceof ApiError) return errorReply(caller);
    return postCommand(caller, body);
  }

  /**
   * Several commands, each answered as POST /transactions would answer it alone. They are posted
   * concurrently, so that the ledger's group commit (PostQueue) takes them together.
   */
  async function postTransactionBatch(authorization: string | undefined, body: unknown): Promise<Reply | undefined> {
    const caller = await authenticate(authorization);
    if (caller instanceof ApiError) return errorReply(caller);
    const envelope = batchSchema.safeParse(body);
    if (!envelope.success) return errorReply(inputError(envelope.error));
    const replies = await Promise.all(envelope.data.commands.map((cmd) => (isReadableAsBody(cmd) ? postCommand(caller, cmd) : errorReply(BAD_BODY))));
    if (!replies.every((r): r is Reply => r !== undefined)) return undefined;
    return { status: 200, body: { results: replies } satisfies { results: Reply[] } };
  }

  async function balance(authorization: string | undefined, rawPlayerId: unknown, rawCurrency: unknown): Promise<Reply> {
    const caller = await authenticate(authorization);
    if (caller instanceof ApiError) return errorReply(caller);
    let playerId: string;
    let currency: string;
    try {
      playerId = assertPlayerId(String(rawPlayerId ?? ""));
      currency = assertCurrency(String(rawCurrency ?? ""));
    } catch (err) {
      if (err instanceof GraphQLError) return errorReply(fromLedgerError(err, undefined));
      throw err;
    }
    // One round trip: this read sits in front of every game launch and bet. A named prepared
    // statement: each pooled connection parses and plans it once, then only binds and executes.
    const [row] = await opts.sql.query<{ version: bigint; cash: bigint | null; bonus: bigint | null; reserved: bigint | null }>(BALANCE_SQL, [playerId, currency], { name: "wallet_balance" });
    if (!row) return errorReply(new ApiError("NOT_FOUND", "Wallet not found"));
    const body: WalletBalance = {
      playerId,
      currency,
      cash: String(row.cash ?? 0n),
      bonus: String(row.bonus ?? 0n),
      reserved: String(row.reserved ?? 0n),
      walletVersion: String(row.version),
    };
    return { status: 200, body };
  }

  return { postTransaction, postTransactionBatch, balance };
}

const BALANCE_SQL = `SELECT w.version,
        max(a.balance) FILTER (WHERE a.type = 'PLAYER_CASH') AS cash,
        max(a.balance) FILTER (WHERE a.type = 'PLAYER_BONUS') AS bonus,
        max(a.balance) FILTER (WHERE a.type = 'PLAYER_RESERVED') AS reserved
   FROM wallet w LEFT JOIN account a ON a.player_id = w.player_id AND a.currency = $2::char(3)
  WHERE w.player_id = $1::uuid
  GROUP BY w.version`;

function writeReply(res: ServerResponse, reply: Reply): void {
  writeJson(res, reply.status, reply.body);
}

/** The body as express.json() reads it; any unreadable body is the API's `badBody` answer. */
function readJson(req: IncomingMessage, maxBytes: number, badBody: ApiError): Promise<unknown> {
  return readJsonBody(req, maxBytes).catch((err: unknown) => {
    throw err instanceof JsonBodyError ? badBody : err;
  });
}

/**
 * Mounts the internal API on the wallet's HTTP server, under /internal/wallet/v1:
 *
 *   POST /transactions                        a command (JSON, at most 64 kB)
 *   POST /transactions/batch                  {"commands": [command, ...]}: 1 to 64 commands (1 MiB)
 *   GET  /balance?playerId=<id>&currency=<c>  the balances of one wallet in one currency
 *   GET  /players/<id>/balance?currency=<c>   the same (the first form of this endpoint)
 *
 * A batch saves the caller an HTTP exchange per command when many are in flight (the wallet client's
 * batching mode). It is authenticated once; then each command is validated, permission-checked and
 * posted exactly as POST /transactions would do it, independently of the others (not atomic: one
 * refusal leaves the rest alone), all at once, so the ledger's group commit takes them together. The
 * answer is 200 {"results": [{"status": <status>, "body": <body>}, ...]}, in the order of the
 * commands, each the status and body POST /transactions would have answered. Only a malformed
 * envelope (not an object, no array of 1 to 64 commands, over 1 MiB) or a refused token answers for
 * the batch as a whole (400 BAD_USER_INPUT with its field, 401), and then nothing is written. The
 * failpoint kills the process after a batch's first new commit, before any answer.
 *
 * POST /transactions and /transactions/batch with a JSON body and GET /balance are served straight
 * from node:http (the kernel's fast routes), without express: on this hot path express's router,
 * body parser and response helpers (an ETag hash of every answer) cost about as much CPU as the rest
 * of the request. Everything else, and any request a fast route declines, reaches the express router
 * with the same answers.
 */
export function mountInternalApi(app: Express, opts: InternalApiOptions, http?: Pick<RunningHttpServer, "route">): void {
  const ops = operations(opts);
  const router = express.Router();
  const commandBody = express.json({ limit: "64kb" });
  const batchBody = express.json({ limit: "1mb" });
  const isBatch = (req: Request) => req.path === BATCH_PATH;
  router.use((req, res, next) => (isBatch(req) ? batchBody : commandBody)(req, res, next));
  const reply = (res: Response, r: Reply | undefined) => void (r && res.status(r.status).json(r.body));
  // Unauthenticated requests under the prefix are refused before anything else, routes or not.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      await opts.verifier.callerOf(req.headers.authorization);
      next();
    } catch (err) {
      if (!(err instanceof ServiceTokenError)) throw err;
      reply(res, errorReply(new ApiError("UNAUTHENTICATED", err.message)));
    }
  });

  router.post("/transactions", async (req, res) => reply(res, await ops.postTransaction(req.headers.authorization, req.body)));
  router.post(BATCH_PATH, async (req, res) => reply(res, await ops.postTransactionBatch(req.headers.authorization, req.body)));
  router.get("/balance", async (req, res) => reply(res, await ops.balance(req.headers.authorization, req.query.playerId, req.query.currency)));
  router.get("/players/:playerId/balance", async (req, res) => reply(res, await ops.balance(req.headers.authorization, req.params.playerId, req.query.currency)));

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // express.json's own errors: a malformed or oversized body.
    const status = (err as { status?: number; type?: string }).status;
    if (status && status < 500) return reply(res, errorReply(isBatch(req) ? BAD_BATCH_BODY : BAD_BODY));
    opts.log.error({ err }, "internal API error");
    reply(res, errorReply(INTERNAL_ERROR));
  });

  app.use(INTERNAL_API_PREFIX, router);

  if (!http) return;
  const guarded = (handle: (req: IncomingMessage) => Promise<Reply | undefined>) => async (req: IncomingMessage, res: ServerResponse) => {
    let r: Reply | undefined;
    try {
      r = await handle(req);
    } catch (err) {
      if (err === BAD_BODY || err === BAD_BATCH_BODY) r = errorReply(err as ApiError);
      else {
        opts.log.error({ err }, "internal API error");
        r = errorReply(INTERNAL_ERROR);
      }
    }
    if (r) writeReply(res, r);
  };
  const acceptsJsonPost = (req: IncomingMessage) => req.method === "POST" && isPlainJson(req.headers["content-type"]) && !req.headers["content-encoding"];
  http.route(`${INTERNAL_API_PREFIX}/transactions`, {
    accepts: acceptsJsonPost,
    handle: guarded(async (req) => ops.postTransaction(req.headers.authorization, await readJson(req, MAX_BODY_BYTES, BAD_BODY))),
  });
  http.route(`${INTERNAL_API_PREFIX}${BATCH_PATH}`, {
    accepts: acceptsJsonPost,
    handle: guarded(async (req) => ops.postTransactionBatch(req.headers.authorization, await readJson(req, MAX_BATCH_BODY_BYTES, BAD_BATCH_BODY))),
  });
  http.route(`${INTERNAL_API_PREFIX}/balance`, {
    accepts: (req) => req.method === "GET",
    handle: guarded(async (req) => {
      const url = req.url ?? "";
      const q = url.indexOf("?");
      const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
      // A repeated parameter is refused as express's query parser makes it refused (an array).
      const param = (name: string) => query.getAll(name).join(",");
      return ops.balance(req.headers.authorization, param("playerId"), param("currency"));
    }),
  });
}
