import type { IncomingMessage, ServerResponse } from "node:http";
import { ServiceTokenError, type ServiceTokenVerifier } from "@casino/kernel/auth/service-tokens";
import { JsonBodyError, isPlainJson, readJsonBody, writeJson } from "@casino/kernel/http/json-body";
import type { RunningHttpServer } from "@casino/kernel/http/server";
import type { Logger } from "@casino/kernel/logger";
import { isSupportedCurrency } from "@casino/kernel/money";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { z } from "zod";
import type { ComplianceChecks } from "./checks.ts";
import { gamstopSubjectSchema, type GamstopScreening } from "./gamstop-screening.ts";

export const COMPLIANCE_API_PREFIX = "/internal/compliance/v1";

const base = {
  playerId: z.uuid(),
  currency: z.string().refine(isSupportedCurrency, "must be a supported ISO 4217 code"),
  amount: z.string().regex(/^\d{1,19}$/, "must be a non-negative integer number of minor units, as a string"),
};
const depositSchema = z.object(base);
const gameKind = z.enum(["SLOT", "TABLE", "LIVE", "OTHER"]);
const stakeSchema = z.object({ ...base, gameKind });
const playSchema = z.object({ playerId: base.playerId, gameKind });

const MAX_BODY_BYTES = 16 * 1024;

export interface ComplianceApiOptions {
  checks: ComplianceChecks;
  gamstop: GamstopScreening;
  verifier: ServiceTokenVerifier;
  log: Logger;
  now: () => Date;
}

interface Reply {
  status: number;
  body: unknown;
}

const error = (status: number, code: string, message: string, field?: string): Reply => ({ status, body: { error: { code, message, ...(field ? { field } : {}) } } });
const BAD_BODY = error(400, "BAD_USER_INPUT", "The body must be a JSON object", "body");

function invalid(issues: z.core.$ZodIssue[]): Reply {
  const issue = issues[0]!;
  return error(400, "BAD_USER_INPUT", issue.message, issue.path.join("."));
}

/** One endpoint: who may call it and what it answers for a JSON body. */
interface Operation {
  caller: "games" | "payments" | "player";
  run(body: unknown): Promise<Reply>;
}

function operations(opts: ComplianceApiOptions): Record<string, Operation> {
  return {
    "/checks/deposit": {
      caller: "payments",
      async run(body) {
        const parsed = depositSchema.safeParse(body);
        if (!parsed.success) return invalid(parsed.error.issues);
        const { playerId, currency, amount } = parsed.data;
        const check = await opts.checks.deposit(playerId, currency, BigInt(amount), opts.now());
        return { status: 200, body: { allowed: check.allowed, reasons: check.reasons, remaining: check.remaining?.toString() ?? null, riskLevel: check.riskLevel } };
      },
    },
    /**
     * "May this player withdraw this now?" (payments, before it reserves anything): refused only when
     * we cannot know whom we pay (age or identity not verified, under age, not assessed, another
     * currency); never for a self-exclusion or time-out (the player's own money goes back to them);
     * `reviewRequired` when staff must approve first (blocked account, open AML case, AML thresholds).
     */
    "/checks/withdrawal": {
      caller: "payments",
      async run(body) {
        const parsed = depositSchema.safeParse(body);
        if (!parsed.success) return invalid(parsed.error.issues);
        const { playerId, currency, amount } = parsed.data;
        if (BigInt(amount) <= 0n) return error(400, "BAD_USER_INPUT", "must be more than zero", "amount");
        return { status: 200, body: await opts.checks.withdrawal(playerId, currency, BigInt(amount), opts.now()) };
      },
    },
    "/checks/stake": {
      caller: "games",
      async run(body) {
        const parsed = stakeSchema.safeParse(body);
        if (!parsed.success) return invalid(parsed.error.issues);
        const { playerId, currency, amount, gameKind } = parsed.data;
        const check = await opts.checks.stake(playerId, currency, BigInt(amount), gameKind, opts.now());
        return { status: 200, body: { allowed: check.allowed, reasons: check.reasons, maxStake: check.maxStake?.toString() ?? null } };
      },
    },
    "/checks/play": {
      caller: "games",
      async run(body) {
        const parsed = playSchema.safeParse(body);
        if (!parsed.success) return invalid(parsed.error.issues);
        const check = await opts.checks.play(parsed.data.playerId, parsed.data.gameKind, opts.now());
        return { status: 200, body: { ...check, maxStake: check.maxStake?.toString() ?? null } };
      },
    },
    /**
     * GAMSTOP screening before an account exists (the player service, at registration): 200 with the
     * outcome, 400 when GAMSTOP cannot take the details, 503 when GAMSTOP did not answer (cannot verify:
     * the registration must wait). Kept as evidence.
     */
    "/gamstop/screen": {
      caller: "player",
      async run(body) {
        const parsed = gamstopSubjectSchema.safeParse(body);
        if (!parsed.success) return invalid(parsed.error.issues);
        const result = await opts.gamstop.screen(parsed.data);
        if (result.answered) {
          return { status: 200, body: { outcome: result.outcome, uniqueId: result.uniqueId, traceId: result.traceId, checkedAt: result.checkedAt.toISOString() } };
        }
        if (result.invalidField) return error(400, "BAD_USER_INPUT", `GAMSTOP cannot check this ${result.invalidField}`, result.invalidField);
        return error(503, "GAMSTOP_UNAVAILABLE", `GAMSTOP could not be asked (${result.failure}); try again shortly`);
      },
    },
  };
}

/**
 * "May this player deposit / withdraw / stake this now?" for payments and games, and GAMSTOP
 * screening for the player service. Answers come from the database on every call (see
 * ComplianceChecks), so they are never stale.
 *
 * Every endpoint is served twice with the same answers: by an express router, and, for a POST with
 * a plain JSON body, straight from node:http (the kernel's fast routes): the checks sit in front of
 * every bet and deposit, and express's router, body parser and response helpers cost about as much
 * CPU as the check itself.
 */
export function mountComplianceApi(app: Express, opts: ComplianceApiOptions, http?: Pick<RunningHttpServer, "route">): void {
  const ops = operations(opts);

  /** Authenticates the caller, checks it may ask, runs the operation. */
  const answer = async (path: string, authorization: string | undefined, body: () => Promise<unknown>): Promise<Reply> => {
    const op = ops[path]!;
    // The body first, as express.json() does before anything else: a malformed one is BAD_USER_INPUT.
    const payload = await body();
    let caller: string;
    try {
      caller = await opts.verifier.callerOf(authorization);
    } catch (err) {
      if (!(err instanceof ServiceTokenError)) throw err;
      return error(401, "UNAUTHENTICATED", err.message);
    }
    if (caller !== op.caller) return error(403, "FORBIDDEN", `Only the ${op.caller} service asks this`);
    return op.run(payload);
  };

  const router = express.Router();
  router.use(express.json({ limit: "16kb" }));
  // Unauthenticated requests under the prefix are refused before anything else, routes or not.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      await opts.verifier.callerOf(req.headers.authorization);
      next();
    } catch (err) {
      if (!(err instanceof ServiceTokenError)) throw err;
      const r = error(401, "UNAUTHENTICATED", err.message);
      res.status(r.status).json(r.body);
    }
  });
  for (const path of Object.keys(ops)) {
    router.post(path, async (req, res) => {
      const r = await answer(path, req.headers.authorization, async () => req.body as unknown);
      res.status(r.status).json(r.body);
    });
  }
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    const r = status && status < 500 ? BAD_BODY : error(500, "INTERNAL_SERVER_ERROR", "Internal error");
    if (r.status === 500) opts.log.error({ err }, "compliance internal API error");
    res.status(r.status).json(r.body);
  });
  app.use(COMPLIANCE_API_PREFIX, router);

  if (!http) return;
  for (const path of Object.keys(ops)) {
    http.route(`${COMPLIANCE_API_PREFIX}${path}`, {
      accepts: (req: IncomingMessage) => req.method === "POST" && isPlainJson(req.headers["content-type"]) && !req.headers["content-encoding"],
      handle: async (req: IncomingMessage, res: ServerResponse) => {
        let r: Reply;
        try {
          r = await answer(path, req.headers.authorization, () => readJsonBody(req, MAX_BODY_BYTES));
        } catch (err) {
          if (err instanceof JsonBodyError) r = BAD_BODY;
          else {
            opts.log.error({ err }, "compliance internal API error");
            r = error(500, "INTERNAL_SERVER_ERROR", "Internal error");
          }
        }
        writeJson(res, r.status, r.body);
      },
    });
  }
}
