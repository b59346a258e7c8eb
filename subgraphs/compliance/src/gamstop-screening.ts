import { randomUUID } from "node:crypto";
import { z } from "@casino/kernel/config";
import type { Logger } from "@casino/kernel/logger";
import { appendAudit } from "./audit.ts";
import { GamstopRequestError, GamstopUnavailableError, isBlocking, type GamstopClient, type GamstopOutcome } from "./gamstop/index.ts";
import type { Prisma, PrismaClient } from "./generated/prisma/client.ts";
import type { GamstopStatus } from "./restrictions.ts";
import { recordRestrictionsChanged } from "./restrictions-changed.ts";
import type { RuleBook } from "./rulebook.ts";
import { assessedView } from "./views.ts";

/** What a GAMSTOP check sends: names, date of birth, email and postcode. */
export const gamstopSubjectSchema = z.object({
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  dateOfBirth: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  email: z.string().min(3),
  postcode: z.string().min(2),
});
export type GamstopSubject = z.infer<typeof gamstopSubjectSchema>;

/** A screening made by the player service at registration, carried by player.registered. */
export const prescreenSchema = z.object({
  outcome: z.enum(["EXCLUDED", "NOT_REGISTERED", "PREVIOUSLY_EXCLUDED"]),
  uniqueId: z.string().min(1),
  traceId: z.string().min(1),
  checkedAt: z.iso.datetime({ offset: true }),
});
export type Prescreen = z.infer<typeof prescreenSchema>;

export type ScreeningResult =
  | { answered: true; outcome: GamstopOutcome; uniqueId: string; traceId: string; checkedAt: Date }
  | { answered: false; failure: string; traceId: string; checkedAt: Date; invalidField?: string };

/** The subject of a check from an event payload, or null while the player has not given all of it. */
export function subjectOf(payload: Record<string, unknown>): GamstopSubject | null {
  const parsed = gamstopSubjectSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

/**
 * Screens players against GAMSTOP (LCCP SR 3.5.5): at registration (by the player service, through
 * the check API, or here from player.registered), when the profile changes, and again while a check
 * could not be made. Every check is kept as evidence (gamstop_check, append-only); the player's
 * status becomes CLEAR only on an answer of "not excluded": a timeout or an error means "cannot
 * verify", and play and deposits stay blocked until a check succeeds.
 */
export class GamstopScreening {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: GamstopClient,
    private readonly prisma: PrismaClient,
    private readonly rules: RuleBook,
    private readonly publishOutbox: () => void,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  /** Asks GAMSTOP; never throws for GAMSTOP's own failures (they are results). */
  async ask(subject: GamstopSubject, traceId: string = randomUUID()): Promise<ScreeningResult> {
    try {
      const check = await this.client.check({ ...subject, traceId });
      return { answered: true, outcome: check.outcome, uniqueId: check.uniqueId, traceId: check.traceId, checkedAt: check.checkedAt };
    } catch (err) {
      if (err instanceof GamstopRequestError) return { answered: false, failure: `INVALID_${err.field}`, invalidField: err.field, traceId, checkedAt: this.now() };
      if (err instanceof GamstopUnavailableError) return { answered: false, failure: err.reason, traceId: err.traceId, checkedAt: this.now() };
      throw err;
    }
  }

  /** Screening before the account exists (the player service at registration): kept as evidence without a player. */
  async screen(subject: GamstopSubject): Promise<ScreeningResult> {
    const result = await this.ask(subject);
    if (!("invalidField" in result && result.invalidField)) await this.prisma.gamstopCheck.create({ data: this.checkRow(null, result) });
    return result;
  }

  private checkRow(playerId: string | null, r: ScreeningResult): Prisma.GamstopCheckCreateManyInput {
    return r.answered
      ? { id: randomUUID(), playerId, outcome: r.outcome, uniqueId: r.uniqueId, traceId: r.traceId, failure: null, checkedAt: r.checkedAt }
      : { id: randomUUID(), playerId, outcome: "UNAVAILABLE", uniqueId: null, traceId: r.traceId, failure: r.failure, checkedAt: r.checkedAt };
  }

  /** Checks a known player now and records the outcome; returns the player's new status. */
  async checkPlayer(playerId: string, subject: GamstopSubject, cause: string): Promise<GamstopStatus> {
    return this.record(playerId, subject, await this.ask(subject), cause);
  }

  /** Records the screening the player service made at registration, without asking again. */
  async recordPrescreen(playerId: string, subject: GamstopSubject | null, prescreen: Prescreen): Promise<GamstopStatus> {
    const result: ScreeningResult = { answered: true, outcome: prescreen.outcome, uniqueId: prescreen.uniqueId, traceId: prescreen.traceId, checkedAt: new Date(prescreen.checkedAt) };
    return this.record(playerId, subject, result, "REGISTRATION_SCREENING");
  }

  private async record(playerId: string, subject: GamstopSubject | null, result: ScreeningResult, cause: string): Promise<GamstopStatus> {
    const at = this.now();
    const status = await this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<Array<{ gamstop_status: GamstopStatus }>>`
        SELECT gamstop_status::text AS gamstop_status FROM player_restrictions WHERE player_id = ${playerId}::uuid FOR UPDATE`;
      if (!row) throw new Error(`GAMSTOP result for ${playerId} before compliance knows the player`);
      let next: GamstopStatus;
      if (result.answered) next = isBlocking(result.outcome) ? "EXCLUDED" : "CLEAR";
      // Details GAMSTOP cannot take (a non-UK postcode ...): nothing was asked; the player must correct them.
      else if ("invalidField" in result && result.invalidField) next = "NOT_CHECKED";
      // No answer: cannot verify. A player already found excluded stays excluded.
      else next = row.gamstop_status === "EXCLUDED" ? "EXCLUDED" : "UNAVAILABLE";
      if (!(!result.answered && "invalidField" in result && result.invalidField)) await tx.gamstopCheck.create({ data: this.checkRow(playerId, result) });
      await tx.playerRestrictions.update({
        where: { playerId },
        data: { gamstopStatus: next, gamstopCheckedAt: result.checkedAt, ...(subject ? { gamstopSubject: subject } : {}) },
      });
      await appendAudit(tx, { kind: "system", id: "gamstop" }, "GAMSTOP_CHECKED", playerId, {
        cause,
        outcome: result.answered ? result.outcome : "UNAVAILABLE",
        failure: result.answered ? null : result.failure,
        uniqueId: result.answered ? result.uniqueId : null,
        traceId: result.traceId,
        status: next,
      }, at);
      if (next !== row.gamstop_status) {
        const updated = await tx.playerRestrictions.findUniqueOrThrow({ where: { playerId } });
        await recordRestrictionsChanged(tx, assessedView(updated, this.rules.versionsOf(updated.jurisdiction), at), "GAMSTOP_CHECKED", at);
      }
      return next;
    });
    this.publishOutbox();
    if (!result.answered) this.log.warn({ playerId, traceId: result.traceId, failure: result.failure }, "GAMSTOP check could not be made; the player stays blocked until one succeeds");
    return status;
  }

  /** Players whose check could not be made are checked again, every `everyMs`. */
  startRetries(everyMs = 60_000): void {
    this.timer = setInterval(() => {
      this.retryUnavailable().catch((err: unknown) => this.log.warn({ err }, "GAMSTOP retry run failed"));
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One retry run: every player whose last check got no answer and whose details are known. */
  async retryUnavailable(limit = 100): Promise<number> {
    const due = await this.prisma.playerRestrictions.findMany({
      where: { gamstopStatus: "UNAVAILABLE" },
      select: { playerId: true, gamstopSubject: true },
      take: limit,
    });
    for (const player of due) {
      const subject = gamstopSubjectSchema.safeParse(player.gamstopSubject);
      if (subject.success) await this.checkPlayer(player.playerId, subject.data, "RETRY");
    }
    return due.length;
  }
}
