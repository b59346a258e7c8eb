import type { RevokedSession, SessionRevocationFeed } from "@casino/kernel/auth/revocations";
import { appError } from "@casino/kernel/errors";
import type { Logger } from "@casino/kernel/logger";
import type { Prisma, PrismaClient } from "./generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;

/**
 * Added to an access token's lifetime to get the instant by which every token of a revoked session
 * has expired: covers a token that a refresh racing the revocation signed a moment after it, and
 * clocks that disagree by up to this much.
 */
export const REVOCATION_MARGIN_MS = 60_000;

/**
 * Ends sessions so that their access tokens stop working too, not only their refresh tokens: each
 * revocation is published to the gateways (the revocation feed) inside the database transaction
 * that records it, before the commit. When the feed cannot be reached the transaction rolls back and
 * the caller gets SERVICE_UNAVAILABLE: a session is never revoked here without the gateways knowing.
 * (A commit that fails after the publish leaves a session refused at the gateways but open in the
 * database: the safe side; its holder signs in again.)
 *
 * The feed is seeded from the database when the service starts and whenever it reports that it
 * lost its content (Redis restarted), so revocations made before a gateway or Redis started count.
 */
export class SessionRevocations {
  /** Set when a revocation could not be published (refresh-token reuse still revokes): reseed soon. */
  private unpublished = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly feed: SessionRevocationFeed,
    private readonly accessTokenTtlSeconds: number,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The instant after which no access token of a session revoked at `revokedAt` can be valid. */
  untilFor(revokedAt: Date): number {
    return revokedAt.getTime() + this.accessTokenTtlSeconds * 1000 + REVOCATION_MARGIN_MS;
  }

  /**
   * Revokes the open sessions matching `where` inside `tx` and tells the gateways before `tx`
   * commits. Returns the ids of the sessions revoked (none when all were already closed).
   */
  async revokeWhere(tx: Tx, where: Prisma.AuthSessionWhereInput, reason: string, revokedAt: Date = this.now()): Promise<string[]> {
    const revoked = await tx.authSession.updateManyAndReturn({
      where: { ...where, revokedAt: null },
      data: { revokedAt, revokeReason: reason },
      select: { id: true },
    });
    const ids = revoked.map((s) => s.id);
    if (ids.length > 0) await this.publish(ids.map((sessionId) => ({ sessionId, untilMs: this.untilFor(revokedAt) })));
    return ids;
  }

  /** Revokes in the database even when the gateways cannot be told now; they are told by the next reseed. */
  async revokeEvenIfUnpublished(sessionId: string, reason: string): Promise<void> {
    try {
      await this.prisma.$transaction((tx) => this.revokeWhere(tx, { id: sessionId }, reason));
    } catch (err) {
      const revokedAt = this.now();
      await this.prisma.authSession.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt, revokeReason: reason } });
      this.unpublished = true;
      this.log.error({ err, sessionId }, "session revoked in the database only; the gateways learn of it when the revocations are seeded again");
    }
  }

  private async publish(entries: RevokedSession[]): Promise<void> {
    try {
      await this.feed.revoke(entries);
    } catch (err) {
      this.log.error({ err, sessions: entries.length }, "publishing session revocations failed; the revocation is not made");
      throw appError("SERVICE_UNAVAILABLE", "Sessions cannot be ended right now; try again shortly");
    }
  }

  /** Publishes every revocation whose tokens may still be valid, read from the database, and marks the feed complete. */
  async seed(): Promise<number> {
    const since = new Date(this.now().getTime() - this.accessTokenTtlSeconds * 1000 - REVOCATION_MARGIN_MS);
    const rows = await this.prisma.authSession.findMany({ where: { revokedAt: { gt: since } }, select: { id: true, revokedAt: true } });
    this.unpublished = false;
    try {
      await this.feed.seed(rows.map((r) => ({ sessionId: r.id, untilMs: this.untilFor(r.revokedAt!) })));
    } catch (err) {
      this.unpublished = true;
      throw err;
    }
    return rows.length;
  }

  /**
   * Seeds now, then checks every `intervalMs` that the feed is still complete (and that nothing is
   * left unpublished), seeding again when not. Returns the function that stops the checks.
   */
  async keepSeeded(intervalMs = 5_000): Promise<() => Promise<void>> {
    let running: Promise<void> | undefined;
    const check = async (force: boolean) => {
      try {
        if (!force && !this.unpublished && (await this.feed.isSeeded())) return;
        const count = await this.seed();
        this.log.info({ sessions: count }, "session revocations seeded from the database");
      } catch (err) {
        this.log.warn({ err }, "seeding session revocations failed; retrying");
      }
    };
    await check(true);
    const timer = setInterval(() => {
      running ??= check(false).finally(() => (running = undefined));
    }, intervalMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      await running;
    };
  }
}
