import { ServiceTokenError, type ServiceTokenVerifier } from "@casino/kernel/auth/service-tokens";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import type { Logger } from "@casino/kernel/logger";
import { assertCurrency, parseMoney } from "@casino/kernel/money";
import {
  CALLER_PERMISSIONS,
  INTERNAL_API_PREFIX,
  STATUS_OF,
  type WalletBalance,
  type WalletErrorBody,
  type WalletErrorCode,
  type WalletTransactionResult,
} from "@casino/wallet-client/protocol";
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

function sendError(res: Response, err: ApiError) {
  const body: WalletErrorBody = { error: { code: err.code, message: err.message, ...err.extra } };
  res.status(STATUS_OF[err.code]).json(body);
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

/** Mounts the internal API on the wallet's HTTP server, under /internal/wallet/v1. */
export function mountInternalApi(app: Express, opts: InternalApiOptions): void {
  const router = express.Router();
  router.use(express.json({ limit: "64kb" }));

  const authenticate = async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.caller = await opts.verifier.callerOf(req.headers.authorization);
      next();
    } catch (err) {
      if (!(err instanceof ServiceTokenError)) throw err;
      sendError(res, new ApiError("UNAUTHENTICATED", err.message));
    }
  };
  router.use(authenticate);

  router.post("/transactions", async (req, res) => {
    const parsed = commandSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join(".") || "body";
      return sendError(res, new ApiError("BAD_USER_INPUT", `${field}: ${issue.message}`, { field }));
    }
    const cmd = parsed.data;
    const caller = res.locals.caller as string;
    if (!(CALLER_PERMISSIONS[caller] ?? []).includes(cmd.type as never)) {
      return sendError(res, new ApiError("FORBIDDEN", `The ${caller} service may not post ${cmd.type} transactions`));
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
      if (err instanceof GraphQLError) return sendError(res, fromLedgerError(err, cmd.currency));
      throw err;
    }
    if (opts.exitAfterCommit && !posted.replayed) {
      opts.log.warn({ key: posted.idempotencyKey }, "failpoint exit-after-commit: exiting before the answer");
      process.kill(process.pid, "SIGKILL");
      return;
    }
    res.json(toResult(posted));
  });

  router.get("/players/:playerId/balance", async (req, res) => {
    let playerId: string;
    let currency: string;
    try {
      playerId = assertPlayerId(String(req.params.playerId));
      currency = assertCurrency(String(req.query.currency ?? ""));
    } catch (err) {
      if (err instanceof GraphQLError) return sendError(res, fromLedgerError(err, undefined));
      throw err;
    }
    // One round trip: this read sits in front of every game launch and bet.
    const [row] = await opts.sql.query<{ version: bigint; cash: bigint | null; bonus: bigint | null; reserved: bigint | null }>(
      `SELECT w.version,
              max(a.balance) FILTER (WHERE a.type = 'PLAYER_CASH') AS cash,
              max(a.balance) FILTER (WHERE a.type = 'PLAYER_BONUS') AS bonus,
              max(a.balance) FILTER (WHERE a.type = 'PLAYER_RESERVED') AS reserved
         FROM wallet w LEFT JOIN account a ON a.player_id = w.player_id AND a.currency = $2::char(3)
        WHERE w.player_id = $1::uuid
        GROUP BY w.version`,
      [playerId, currency],
    );
    if (!row) return sendError(res, new ApiError("NOT_FOUND", "Wallet not found"));
    const body: WalletBalance = {
      playerId,
      currency,
      cash: String(row.cash ?? 0n),
      bonus: String(row.bonus ?? 0n),
      reserved: String(row.reserved ?? 0n),
      walletVersion: String(row.version),
    };
    res.json(body);
  });

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // express.json's own errors: a malformed or oversized body.
    const status = (err as { status?: number; type?: string }).status;
    if (status && status < 500) return sendError(res, new ApiError("BAD_USER_INPUT", "The body must be a JSON object of at most 64 kB", { field: "body" }));
    opts.log.error({ err }, "internal API error");
    sendError(res, new ApiError("INTERNAL_SERVER_ERROR", "Internal error"));
  });

  app.use(INTERNAL_API_PREFIX, router);
}
