import { ServiceTokenError, type ServiceTokenVerifier } from "@casino/kernel/auth/service-tokens";
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

/**
 * "May this player deposit / withdraw / stake this now?" for payments and games. Answers come from the
 * database on every call (see ComplianceChecks), so they are never stale.
 */
export function mountComplianceApi(app: Express, opts: { checks: ComplianceChecks; gamstop: GamstopScreening; verifier: ServiceTokenVerifier; log: Logger; now: () => Date }): void {
  const router = express.Router();
  router.use(express.json({ limit: "16kb" }));
  const error = (res: Response, status: number, code: string, message: string, field?: string) =>
    res.status(status).json({ error: { code, message, ...(field ? { field } : {}) } });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.locals.caller = await opts.verifier.callerOf(req.headers.authorization);
      next();
    } catch (err) {
      if (!(err instanceof ServiceTokenError)) throw err;
      error(res, 401, "UNAUTHENTICATED", err.message);
    }
  });

  const only = (caller: string) => (_req: Request, res: Response, next: NextFunction) =>
    res.locals.caller === caller ? next() : error(res, 403, "FORBIDDEN", `Only the ${caller} service asks this`);

  router.post("/checks/deposit", only("payments"), async (req, res) => {
    const parsed = depositSchema.safeParse(req.body);
    if (!parsed.success) return error(res, 400, "BAD_USER_INPUT", parsed.error.issues[0]!.message, parsed.error.issues[0]!.path.join("."));
    const { playerId, currency, amount } = parsed.data;
    const check = await opts.checks.deposit(playerId, currency, BigInt(amount), opts.now());
    res.json({ allowed: check.allowed, reasons: check.reasons, remaining: check.remaining?.toString() ?? null, riskLevel: check.riskLevel });
  });

  /**
   * "May this player withdraw this now?" (payments, before it reserves anything): refused only when
   * we cannot know whom we pay (age or identity not verified, under age, not assessed, another
   * currency); never for a self-exclusion or time-out (the player's own money goes back to them);
   * `reviewRequired` when staff must approve first (blocked account, open AML case, AML thresholds).
   */
  router.post("/checks/withdrawal", only("payments"), async (req, res) => {
    const parsed = depositSchema.safeParse(req.body);
    if (!parsed.success) return error(res, 400, "BAD_USER_INPUT", parsed.error.issues[0]!.message, parsed.error.issues[0]!.path.join("."));
    const { playerId, currency, amount } = parsed.data;
    if (BigInt(amount) <= 0n) return error(res, 400, "BAD_USER_INPUT", "must be more than zero", "amount");
    const check = await opts.checks.withdrawal(playerId, currency, BigInt(amount), opts.now());
    res.json(check);
  });

  router.post("/checks/stake", only("games"), async (req, res) => {
    const parsed = stakeSchema.safeParse(req.body);
    if (!parsed.success) return error(res, 400, "BAD_USER_INPUT", parsed.error.issues[0]!.message, parsed.error.issues[0]!.path.join("."));
    const { playerId, currency, amount, gameKind } = parsed.data;
    const check = await opts.checks.stake(playerId, currency, BigInt(amount), gameKind, opts.now());
    res.json({ allowed: check.allowed, reasons: check.reasons, maxStake: check.maxStake?.toString() ?? null });
  });

  router.post("/checks/play", only("games"), async (req, res) => {
    const parsed = playSchema.safeParse(req.body);
    if (!parsed.success) return error(res, 400, "BAD_USER_INPUT", parsed.error.issues[0]!.message, parsed.error.issues[0]!.path.join("."));
    const check = await opts.checks.play(parsed.data.playerId, parsed.data.gameKind, opts.now());
    res.json({ ...check, maxStake: check.maxStake?.toString() ?? null });
  });

  /**
   * GAMSTOP screening before an account exists (the player service, at registration): 200 with the
   * outcome, 400 when GAMSTOP cannot take the details, 503 when GAMSTOP did not answer (cannot verify:
   * the registration must wait). Kept as evidence.
   */
  router.post("/gamstop/screen", only("player"), async (req, res) => {
    const parsed = gamstopSubjectSchema.safeParse(req.body);
    if (!parsed.success) return error(res, 400, "BAD_USER_INPUT", parsed.error.issues[0]!.message, parsed.error.issues[0]!.path.join("."));
    const result = await opts.gamstop.screen(parsed.data);
    if (result.answered) {
      return res.json({ outcome: result.outcome, uniqueId: result.uniqueId, traceId: result.traceId, checkedAt: result.checkedAt.toISOString() });
    }
    if (result.invalidField) return error(res, 400, "BAD_USER_INPUT", `GAMSTOP cannot check this ${result.invalidField}`, result.invalidField);
    error(res, 503, "GAMSTOP_UNAVAILABLE", `GAMSTOP could not be asked (${result.failure}); try again shortly`);
  });

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (status && status < 500) return error(res, 400, "BAD_USER_INPUT", "The body must be a JSON object", "body");
    opts.log.error({ err }, "compliance internal API error");
    error(res, 500, "INTERNAL_SERVER_ERROR", "Internal error");
  });
  app.use(COMPLIANCE_API_PREFIX, router);
}
