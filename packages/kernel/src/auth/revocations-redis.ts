import type { Redis } from "ioredis";
import { closeRedis, connectRedis } from "../events/redis.ts";
import type { Logger } from "../logger.ts";
import {
  chunks,
  revokedSessionsSchema,
  type RevocationFollower,
  type RevokedSession,
  type SessionRevocationFeed,
} from "./revocations.ts";

export interface RedisRevocationFeedOptions {
  url: string;
  /** Keys are `<prefix>auth:revoked-sessions` (and `...:seeded`), the channel `<prefix>auth:session-revoked`. */
  keyPrefix?: string;
  log: Logger;
  /** How often a follower re-reads the whole set (and so notices a store that lost its content). */
  reconcileMs?: number;
  /** How soon a follower retries after the store was unreachable or not seeded. */
  retryMs?: number;
  /** A command not answered within this time fails (default 2,000 ms). */
  commandTimeoutMs?: number;
}

/**
 * Session revocations in Redis: a sorted set (session id scored by the instant its entry lapses)
 * that a gateway reads when it starts or reconnects, a marker that says the set is complete, and a
 * pub/sub channel that pushes each revocation to every gateway. A revocation is stored and published
 * in one MULTI, so a gateway that subscribed before reading the set misses nothing.
 */
export class RedisRevocationFeed implements SessionRevocationFeed {
  private readonly setKey: string;
  private readonly seededKey: string;
  private readonly channel: string;
  private readonly log: Logger;
  private cmd: Redis | undefined;
  private readonly stops = new Set<() => Promise<void>>();
  private closed = false;

  constructor(private readonly opts: RedisRevocationFeedOptions) {
    const prefix = opts.keyPrefix ?? "";
    this.setKey = `${prefix}auth:revoked-sessions`;
    this.seededKey = `${prefix}auth:revoked-sessions:seeded`;
    this.channel = `${prefix}auth:session-revoked`;
    this.log = opts.log.child({ component: "redis-revocations" });
  }

  private command(): Redis {
    // A revocation is published inside the database transaction that makes it: an unreachable Redis
    // must fail it within seconds, not hold the transaction while ioredis keeps retrying.
    this.cmd ??= connectRedis(this.opts.url, this.log, "revocations", { commandTimeout: this.opts.commandTimeoutMs ?? 2_000 });
    return this.cmd;
  }

  async revoke(entries: readonly RevokedSession[]): Promise<void> {
    await this.store(revokedSessionsSchema.parse(entries), false);
  }

  async seed(entries: readonly RevokedSession[]): Promise<void> {
    await this.store(revokedSessionsSchema.parse(entries), true);
  }

  private async store(entries: readonly RevokedSession[], markSeeded: boolean): Promise<void> {
    if (this.closed) throw new Error("revocation feed is closed");
    const now = Date.now();
    const live = entries.filter((e) => e.untilMs > now);
    const parts = chunks(live);
    if (parts.length === 0 && !markSeeded) return;
    const multi = this.command().multi();
    for (const part of parts) {
      // GT: an entry's time only moves later, whoever writes it.
      multi.zadd(this.setKey, "GT", ...part.flatMap((e) => [e.untilMs, e.sessionId]));
      multi.publish(this.channel, JSON.stringify(part));
    }
    multi.zremrangebyscore(this.setKey, "-inf", now);
    if (live.length > 0) {
      // The set goes away by itself once its last entry lapsed (NX: first expiry, GT: a later one).
      const lastMs = live.reduce((max, e) => Math.max(max, e.untilMs), 0);
      multi.call("PEXPIREAT", this.setKey, String(lastMs), "NX");
      multi.call("PEXPIREAT", this.setKey, String(lastMs), "GT");
    }
    if (markSeeded) multi.set(this.seededKey, new Date(now).toISOString());
    const results = (await multi.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async isSeeded(): Promise<boolean> {
    return (await this.command().exists(this.seededKey)) === 1;
  }

  /** The whole set, or undefined when the store is not (or no longer) complete. */
  private async read(): Promise<RevokedSession[] | undefined> {
    const results = (await this.command().multi().exists(this.seededKey).zrange(this.setKey, `(${Date.now()}`, "+inf", "BYSCORE", "WITHSCORES").exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    if (results[0]?.[1] !== 1) return undefined;
    const flat = (results[1]?.[1] ?? []) as string[];
    const entries: RevokedSession[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ sessionId: flat[i]!, untilMs: Number(flat[i + 1]) });
    return entries;
  }

  async follow(follower: RevocationFollower): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("revocation feed is closed");
    const reconcileMs = this.opts.reconcileMs ?? 15_000;
    const retryMs = this.opts.retryMs ?? 1_000;
    const sub = connectRedis(this.opts.url, this.log, "revocations-sub");
    let stopped = false;
    let available = false;
    let timer: NodeJS.Timeout | undefined;
    let loading: Promise<void> | undefined;

    const down = (reason: string) => {
      if (available) this.log.warn({ reason }, "session revocations unavailable: authenticated requests are refused until they are back");
      available = false;
      follower.unavailable(reason);
    };
    const schedule = (ms: number) => {
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(() => void load(), ms).unref();
    };
    // Subscribed first, then read: a revocation published in between arrives as a message.
    const load = () =>
      (loading ??= (async () => {
        try {
          if (sub.status !== "ready") throw new Error(`subscriber connection ${sub.status}`);
          await sub.subscribe(this.channel);
          const entries = await this.read();
          if (stopped) return;
          if (!entries) {
            down("the revocation store is not seeded (yet, or again after losing its content)");
            schedule(retryMs);
            return;
          }
          if (!available) this.log.info({ entries: entries.length }, "session revocations loaded");
          available = true;
          follower.snapshot(entries);
          schedule(reconcileMs);
        } catch (err) {
          if (stopped) return;
          down(`reading session revocations failed: ${err instanceof Error ? err.message : String(err)}`);
          schedule(retryMs);
        }
      })().finally(() => (loading = undefined)));

    sub.on("message", (channel: string, text: string) => {
      if (channel !== this.channel) return;
      let entries: RevokedSession[];
      try {
        entries = revokedSessionsSchema.parse(JSON.parse(text));
      } catch (err) {
        this.log.error({ err }, "malformed session revocation message dropped");
        return;
      }
      follower.revoked(entries);
    });
    // A lost connection may have missed messages: nothing is trusted until the next full read.
    sub.on("close", () => {
      if (!stopped) down("the Redis connection of session revocations closed");
    });
    sub.on("ready", () => void load());

    follower.unavailable("session revocations not loaded yet");
    if (sub.status === "ready") await load();
    else {
      // Wait for the first load (or its failure) so a gateway starts with its set when Redis is up.
      await new Promise<void>((resolve) => {
        const done = () => {
          sub.off("ready", onReady);
          sub.off("end", done);
          resolve();
        };
        const onReady = () => void load().then(done);
        sub.on("ready", onReady);
        sub.on("end", done);
        setTimeout(done, 5_000).unref();
      });
    }

    const stop = async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      this.stops.delete(stop);
      await closeRedis(sub);
    };
    this.stops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.stops].map((stop) => stop()));
    if (this.cmd) await closeRedis(this.cmd);
  }
}
