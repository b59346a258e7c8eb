import { outboxRow } from "@casino/kernel/events/outbox";
import type { Logger } from "@casino/kernel/logger";
import { toGraphQLMoney } from "@casino/kernel/money";
import { appendAudit, type Actor } from "./audit.ts";
import type { Prisma, PrismaClient, RealityCheck } from "./generated/prisma/client.ts";
import { NO_SESSION, chooseInterval, due, onActivity, type Activity, type RealityState, type Reminder } from "./reality-check.ts";

type Tx = Prisma.TransactionClient;

const stateOf = (row: RealityCheck | null): RealityState =>
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
