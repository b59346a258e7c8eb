import { z } from "zod";

/**
 * Revoked sessions, as the gateway needs them to refuse access tokens that have not expired yet.
 *
 * The player service owns sessions. When it revokes one (logout, a revoked session, refresh-token
 * reuse, an account closed, blocked, timed out or self-excluded) it records the session id here
 * with the instant by which every access token of that session has expired (`untilMs`); after that
 * the entry has nothing left to refuse and lapses. Gateways follow the feed: a snapshot when they
 * start (or reconnect), then each revocation as it happens, kept in memory so that checking a
 * token's session costs one map lookup.
 *
 * A store that lost its content (a Redis restart without persistence) must not look empty: it is
 * only complete once the player service has "seeded" it from its database, and followers treat an
 * unseeded store as unavailable (they refuse authenticated requests rather than trust it).
 */
export interface RevokedSession {
  readonly sessionId: string;
  /** Epoch milliseconds after which no access token of the session can still be valid. */
  readonly untilMs: number;
}

/** What a follower (the gateway) is told. Calls may repeat entries; the set only grows until entries lapse. */
export interface RevocationFollower {
  /** Every entry still in force, from a store known to be complete; the feed is available from now on. */
  snapshot(entries: readonly RevokedSession[]): void;
  /** Sessions revoked just now. */
  revoked(entries: readonly RevokedSession[]): void;
  /** The feed cannot vouch for completeness any more (store unreachable or not seeded) until the next snapshot. */
  unavailable(reason: string): void;
}

export interface SessionRevocationFeed {
  /** Records revocations and pushes them to every follower; resolves once they are stored. */
  revoke(entries: readonly RevokedSession[]): Promise<void>;
  /** Records every revocation still in force, read from the source of truth, and marks the store complete. */
  seed(entries: readonly RevokedSession[]): Promise<void>;
  /** Whether the store is complete (false before the first seed, and after it lost its content). */
  isSeeded(): Promise<boolean>;
  /** Starts following; the follower hears `snapshot` or `unavailable` first. Returns a stop function. */
  follow(follower: RevocationFollower): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const revokedSessionSchema = z.object({
  sessionId: z.string().min(1).max(200),
  untilMs: z.number().int().nonnegative(),
});
export const revokedSessionsSchema = z.array(revokedSessionSchema).max(100_000);

/** Revocations go out in messages of at most this many entries. */
export const REVOCATION_CHUNK = 1_000;

export function chunks<T>(items: readonly T[], size = REVOCATION_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The set itself, with lapsed entries pruned: the in-process feed, the embedded supervisor's hub and
 * the gateway's copy all keep one. An entry's time only ever moves later.
 */
export class RevocationSet {
  private readonly entries = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds entries (ignoring those already lapsed); returns the ones that were added or extended. */
  add(entries: readonly RevokedSession[]): RevokedSession[] {
    const now = this.now();
    const changed: RevokedSession[] = [];
    for (const entry of entries) {
      if (entry.untilMs <= now) continue;
      const current = this.entries.get(entry.sessionId);
      if (current !== undefined && current >= entry.untilMs) continue;
      this.entries.set(entry.sessionId, entry.untilMs);
      changed.push(entry);
    }
    return changed;
  }

  /** True while the session's tokens must be refused. */
  has(sessionId: string): boolean {
    const until = this.entries.get(sessionId);
    return until !== undefined && until > this.now();
  }

  /** Drops lapsed entries; returns how many. */
  prune(): number {
    const now = this.now();
    let dropped = 0;
    for (const [sessionId, until] of this.entries) {
      if (until <= now) {
        this.entries.delete(sessionId);
        dropped += 1;
      }
    }
    return dropped;
  }

  list(): RevokedSession[] {
    this.prune();
    return [...this.entries].map(([sessionId, untilMs]) => ({ sessionId, untilMs }));
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The feed inside one process: what a service started alone, and tests, use. Followers hear about
 * revocations synchronously, before `revoke` resolves.
 */
export class InProcessRevocationFeed implements SessionRevocationFeed {
  private readonly set: RevocationSet;
  private readonly followers = new Set<RevocationFollower>();
  private seeded = false;
  private closed = false;

  constructor(opts: { now?: () => number } = {}) {
    this.set = new RevocationSet(opts.now);
  }

  async revoke(entries: readonly RevokedSession[]): Promise<void> {
    if (this.closed) throw new Error("revocation feed is closed");
    const added = this.set.add(revokedSessionsSchema.parse(entries));
    if (added.length === 0) return;
    for (const follower of this.followers) follower.revoked(added);
  }

  async seed(entries: readonly RevokedSession[]): Promise<void> {
    if (this.closed) throw new Error("revocation feed is closed");
    this.set.add(revokedSessionsSchema.parse(entries));
    this.seeded = true;
    const all = this.set.list();
    for (const follower of this.followers) follower.snapshot(all);
  }

  async isSeeded(): Promise<boolean> {
    return this.seeded;
  }

  async follow(follower: RevocationFollower): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("revocation feed is closed");
    const own: RevocationFollower = {
      snapshot: (e) => follower.snapshot(e),
      revoked: (e) => follower.revoked(e),
      unavailable: (r) => follower.unavailable(r),
    };
    this.followers.add(own);
    if (this.seeded) own.snapshot(this.set.list());
    else own.unavailable("no session revocations seeded yet");
    return async () => void this.followers.delete(own);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const follower of this.followers) follower.unavailable("revocation feed closed");
    this.followers.clear();
  }
}
