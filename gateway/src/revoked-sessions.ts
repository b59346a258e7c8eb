import type { Principal } from "@casino/kernel/auth/principal";
import { RevocationSet, type RevocationFollower, type RevokedSession, type SessionRevocationFeed } from "@casino/kernel/auth/revocations";
import { appError, unauthenticated } from "@casino/kernel/errors";
import type { Logger } from "@casino/kernel/logger";

export type SessionRevokedListener = (sessionIds: ReadonlySet<string>) => void;

/**
 * The gateway's copy of the revoked sessions, fed by the revocation feed and checked on every
 * authenticated request and WebSocket connection: a map lookup, nothing on the network.
 *
 * It fails closed: until the first snapshot arrives, and whenever the feed cannot vouch for being
 * complete (Redis unreachable, or its set not seeded again after losing its content), every
 * authenticated request is refused with SERVICE_UNAVAILABLE. Anonymous requests (registration,
 * login, the lobby) are not affected.
 */
export class RevokedSessions implements RevocationFollower {
  private readonly set: RevocationSet;
  private readonly listeners = new Set<SessionRevokedListener>();
  private unavailableReason: string | undefined = "session revocations not loaded yet";
  private readonly pruneTimer: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    now: () => number = Date.now,
  ) {
    this.set = new RevocationSet(now);
    this.pruneTimer = setInterval(() => this.set.prune(), 60_000);
    this.pruneTimer.unref();
  }

  /** Starts following the feed; resolves once the first snapshot arrived or the feed said it is unavailable. */
  async follow(feed: SessionRevocationFeed): Promise<() => Promise<void>> {
    const stop = await feed.follow(this);
    return async () => {
      clearInterval(this.pruneTimer);
      await stop();
    };
  }

  get available(): boolean {
    return this.unavailableReason === undefined;
  }

  /** Entries currently held (for metrics and tests). */
  get size(): number {
    return this.set.size;
  }

  /** Called with the ids of sessions revoked since the last call (open subscriptions are closed by it). */
  onRevoked(listener: SessionRevokedListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  isRevoked(sessionId: string): boolean {
    return this.set.has(sessionId);
  }

  /**
   * Throws for a principal whose session was revoked (UNAUTHENTICATED, like an expired token) or
   * when revocations cannot be checked (SERVICE_UNAVAILABLE). Anonymous callers pass.
   */
  assertActive(principal: Principal): void {
    if (principal.kind === "anonymous") return;
    if (this.unavailableReason !== undefined) throw appError("SERVICE_UNAVAILABLE", "Sign-in cannot be checked right now; try again shortly");
    if (this.set.has(principal.sessionId)) throw unauthenticated("Session has ended");
  }

  snapshot(entries: readonly RevokedSession[]): void {
    this.set.add(entries);
    if (this.unavailableReason !== undefined) this.log.info({ entries: this.set.size }, "session revocations available");
    this.unavailableReason = undefined;
    // Everything known is in force, so connections opened while the feed was away are checked too.
    if (this.set.size > 0) this.notify(new Set(this.set.list().map((e) => e.sessionId)));
  }

  revoked(entries: readonly RevokedSession[]): void {
    const added = this.set.add(entries);
    if (added.length > 0) this.notify(new Set(added.map((e) => e.sessionId)));
  }

  unavailable(reason: string): void {
    if (this.unavailableReason === undefined) this.log.warn({ reason }, "session revocations unavailable: authenticated requests are refused");
    this.unavailableReason = reason;
  }

  private notify(sessionIds: ReadonlySet<string>): void {
    for (const listener of this.listeners) {
      try {
        listener(sessionIds);
      } catch (err) {
        this.log.error({ err }, "a session revocation listener failed");
      }
    }
  }
}
