import { outboxRow } from "@casino/kernel/events/outbox";
import type { Logger } from "@casino/kernel/logger";
import { toGraphQLMoney } from "@casino/kernel/money";
import { appendAudit, type Actor } from "./audit.ts";
import type { Prisma, PrismaClient, RealityCheck } from "./generated/prisma/client.ts";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import { NO_SESSION, SESSION_GAP_MS, chooseInterval, due, onActivity, type Activity, type RealityState, type Reminder } from "./reality-check.ts";

type Tx = Prisma.TransactionClient;

/** A player's reality-check row as the pure rules see it (no row: no interval, no session). */
export const stateOf = (row: RealityCheck | null): RealityState =>
  row
    ? {
        intervalMinutes: row.intervalMinutes,
        currency: row.currency,
        sessionStartedAt: row.sessionStartedAt,
        lastActivityAt: row.lastActivityAt,
        nextReminderAt: row.nextReminderAt,
        stakesMinor: row.stakesMinor,
        winsMinor: row.winsMinor,
        reminders: row.reminders,
      }
    : { intervalMinutes: null, ...NO_SESSION };

/** The live message for Subscription.realityCheck, shaped like the GraphQL RealityCheck. */
export function realityCheckPayload(playerId: string, r: Reminder) {
  return {
    playerId,
    sessionStartedAt: r.sessionStartedAt.toISOString(),
    elapsedMinutes: r.elapsedMinutes,
    stakes: toGraphQLMoney(r.stakesMinor, r.currency),
    wins: toGraphQLMoney(r.winsMinor, r.currency),
    netPosition: toGraphQLMoney(r.netMinor, r.currency),
    reminder: r.reminder,
    at: r.at.toISOString(),
  };
}

/**
 * Keeps each player's gambling session from the wallet's events and sends the reminders they chose:
 * a poll finds the due ones (FOR UPDATE SKIP LOCKED, so several instances share the work) and
 * writes each as `compliance.reality_check` with the live topic `realityCheck`, which the gateway
 * delivers to the player's subscription.
 */
export class RealityChecks {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly publishOutbox: () => void,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  async intervalOf(playerId: string): Promise<number | null> {
    return (await this.prisma.realityCheck.findUnique({ where: { playerId }, select: { intervalMinutes: true } }))?.intervalMinutes ?? null;
  }

  async choose(playerId: string, minutes: number | null, actor: Actor): Promise<void> {
    const at = this.now();
    await this.prisma.$transaction(async (tx) => {
      const row = await this.lock(tx, playerId);
      const next = chooseInterval(stateOf(row), minutes, at);
      await this.save(tx, playerId, next, at);
      await appendAudit(tx, actor, "REALITY_CHECK_INTERVAL", playerId, { minutes }, at);
    });
  }

  /**
   * A wallet event that is only gambling activity (a bet, a win, a refund), consumed at most once in
   * one statement: the consumer's processed_event row, and onActivity() applied to the player's row
   * (test/reality-check-activity.int.test.ts checks it against the function on random sequences).
   * This runs for every bet and every win, on the event loop that also answers the games service's
   * stake checks, so it is one round trip through the kernel's pool instead of an interactive Prisma
   * transaction of five statements. Returns false for an event consumed before.
   *
   * The UPDATE takes the row's lock and re-reads it if another event changed it meanwhile, as the
   * FOR UPDATE of recordActivity does; the INSERT opens a session for a player who has no row yet
   * (only a bet does). Two first events of one player at once: one INSERT fails on the primary key,
   * its statement (and processed_event row) is rolled back and the bus redelivers it.
   */
  async recordActivityEvent(sql: SqlExecutor, consumer: string, eventId: string, playerId: string, activity: Activity): Promise<boolean> {
    const [row] = await sql.query<{ fresh: string | number | bigint }>(RECORD_ACTIVITY, [
      consumer,
      eventId,
      playerId,
      activity.currency,
      activity.at.toISOString(),
      activity.staked.toString(),
      activity.won.toString(),
      this.now().toISOString(),
      SESSION_GAP_MS,
    ], { name: "compliance_record_activity" });
    return Number(row!.fresh) === 1;
  }

  /** Inside the consumer's transaction of a wallet event. */
  async recordActivity(tx: Tx, playerId: string, activity: Activity): Promise<void> {
    const row = await this.lock(tx, playerId);
    const before = stateOf(row);
    const next = onActivity(before, activity);
    if (next !== before) await this.save(tx, playerId, next, this.now());
  }

  private async lock(tx: Tx, playerId: string): Promise<RealityCheck | null> {
    await tx.$queryRaw`SELECT 1 FROM reality_check WHERE player_id = ${playerId}::uuid FOR UPDATE`;
    return tx.realityCheck.findUnique({ where: { playerId } });
  }

  private save(tx: Tx, playerId: string, s: RealityState, at: Date) {
    const data = { ...s, updatedAt: at };
    return tx.realityCheck.upsert({ where: { playerId }, create: { playerId, ...data }, update: data });
  }

  /** One poll: sends every reminder due now; returns how many were sent. */
  async sendDue(limit = 200): Promise<number> {
    const at = this.now();
    const sent = await this.prisma.$transaction(async (tx) => {
      const dueRows = await tx.$queryRaw<Array<{ player_id: string }>>`
        SELECT player_id::text FROM reality_check WHERE next_reminder_at <= ${at} ORDER BY next_reminder_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      let count = 0;
      for (const { player_id: playerId } of dueRows) {
        const row = await tx.realityCheck.findUniqueOrThrow({ where: { playerId } });
        const outcome = due(stateOf(row), at);
        if (!outcome) continue;
        await this.save(tx, playerId, outcome.next, at);
        if (!outcome.reminder) continue;
        await tx.outboxEvent.create({
          data: outboxRow({ type: "compliance.reality_check", aggregateId: playerId, playerId, liveTopic: "realityCheck", payload: realityCheckPayload(playerId, outcome.reminder) }),
        });
        count++;
      }
      return count;
    });
    if (sent) this.publishOutbox();
    return sent;
  }

  start(pollMs: number): void {
    this.timer = setInterval(() => {
      this.sendDue().catch((err: unknown) => this.log.warn({ err }, "reality check poll failed"));
    }, pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * Whether the activity starts a new session for row r: there is none, the pause is longer than the
 * gap, or the currency changed. Written out where it is used, always on r itself, so that an UPDATE
 * that waited for another event's lock evaluates it on the row that event left.
 */
const STARTS = `(r.session_started_at IS NULL OR r.last_activity_at IS NULL
  OR $5::timestamptz - r.last_activity_at > $9::int * interval '1 millisecond'
  OR r.currency IS DISTINCT FROM $4::char(3))`;

/**
 * onActivity() (reality-check.ts) as one statement. $1 consumer, $2 event id, $3 player, $4 currency,
 * $5 activity time, $6 staked (negative for a refund), $7 won, $8 now, $9 SESSION_GAP_MS.
 * Only a bet starts a session; anything else that would start one changes nothing.
 */
const RECORD_ACTIVITY = `
WITH fresh AS (
  INSERT INTO processed_event (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING RETURNING 1
), upd AS (
  UPDATE reality_check r SET
    currency = CASE WHEN ${STARTS} THEN $4::char(3) ELSE r.currency END,
    session_started_at = CASE WHEN ${STARTS} THEN $5::timestamptz ELSE r.session_started_at END,
    last_activity_at = CASE WHEN ${STARTS} THEN $5::timestamptz ELSE greatest(r.last_activity_at, $5::timestamptz) END,
    next_reminder_at = CASE WHEN NOT ${STARTS} THEN r.next_reminder_at
                            WHEN r.interval_minutes IS NULL THEN NULL
                            ELSE $5::timestamptz + r.interval_minutes * interval '1 minute' END,
    stakes_minor = CASE WHEN ${STARTS} THEN $6::bigint ELSE greatest(r.stakes_minor + $6::bigint, 0) END,
    wins_minor = CASE WHEN ${STARTS} THEN $7::bigint ELSE r.wins_minor + $7::bigint END,
    reminders = CASE WHEN ${STARTS} THEN 0 ELSE r.reminders END,
    updated_at = $8::timestamptz
  WHERE r.player_id = $3::uuid AND EXISTS (SELECT 1 FROM fresh) AND NOT (${STARTS} AND $6::bigint <= 0)
  RETURNING 1
), ins AS (
  INSERT INTO reality_check (player_id, interval_minutes, currency, session_started_at, last_activity_at, next_reminder_at,
                             stakes_minor, wins_minor, reminders, updated_at)
  SELECT $3::uuid, NULL, $4::char(3), $5::timestamptz, $5::timestamptz, NULL, $6::bigint, $7::bigint, 0, $8::timestamptz
   WHERE EXISTS (SELECT 1 FROM fresh) AND $6::bigint > 0 AND NOT EXISTS (SELECT 1 FROM reality_check WHERE player_id = $3::uuid)
  RETURNING 1
)
SELECT (SELECT count(*) FROM fresh) AS fresh`;
