import { randomUUID } from "node:crypto";
import type { Logger } from "@casino/kernel/logger";
import type { ServiceRuntime } from "@casino/kernel/service";
import { Redis } from "ioredis";
import { decodeCacheValue, encodeCacheValue } from "./cache-codec.ts";

/**
 * The lobby cache: public catalogue reads (lobby pages, categories, providers, a provider's games)
 * remembered under a catalogue generation. Every catalogue write replaces the generation, which makes
 * every entry of the old one unreadable at once, in every process that shares the store: in real
 * mode the generation is a Redis key, so one write invalidates all the games processes behind a load
 * balancer. Entries also expire after a TTL, which bounds how stale a process can be when a
 * generation change was lost (a writer killed between its commit and the bump).
 *
 * Only public data goes in: callers never pass admin views (includeDisabled) through it. A store
 * that fails (Redis down) costs a database read, never the request.
 */
export interface LobbyCacheStore {
  /**
   * The current generation and the values of `keys` stored under it (undefined when absent or of an
   * older generation). No generation: nothing may be stored yet (a new or flushed store).
   */
  read(keys: readonly string[]): Promise<{ generation: string | undefined; values: Array<string | undefined> }>;
  write(generation: string, key: string, value: string): Promise<void>;
  /** Starts a new generation; a store that cannot reach its backend keeps trying and serves nothing meanwhile. */
  newGeneration(): Promise<void>;
  close(): Promise<void>;
}

export interface LobbyCacheStats {
  hits: number;
  misses: number;
  /** Reads or writes the store failed (the value came from the database). */
  failures: number;
}

export const DEFAULT_TTL_SECONDS = 300;
const LOCAL_MAX_ENTRIES = 2_000;
const FAILURE_LOG_INTERVAL_MS = 5_000;

export class LobbyCache {
  readonly stats: LobbyCacheStats = { hits: 0, misses: 0, failures: 0 };
  /** One database read per key and generation at a time in this process, however many requests miss together. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private lastFailureLogged = 0;

  constructor(
    private readonly store: LobbyCacheStore,
    private readonly log?: Logger,
  ) {}

  /** The cached value of `key`, or `compute()`'s, which is then cached. */
  async remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let generation: string | undefined;
    try {
      const read = await this.store.read([key]);
      generation = read.generation;
      const cached = read.values[0];
      if (cached !== undefined) {
        this.stats.hits += 1;
        return decodeCacheValue<T>(cached);
      }
    } catch (err) {
      this.failed(err, "read");
      generation = undefined;
    }
    this.stats.misses += 1;
    if (generation === undefined) return compute();
    const flightKey = `${generation}\n${key}`;
    const pending = this.inFlight.get(flightKey) as Promise<T> | undefined;
    if (pending) return pending;
    // The generation was read before the database: a write committed meanwhile has replaced it, so
    // what is stored below under the old one is never served.
    const flight = compute().then(async (value) => {
      try {
        await this.store.write(generation, key, encodeCacheValue(value));
      } catch (err) {
        this.failed(err, "write");
      }
      return value;
    });
    this.inFlight.set(flightKey, flight);
    try {
      return await flight;
    } finally {
      this.inFlight.delete(flightKey);
    }
  }

  /** Call after every committed catalogue change. Never throws: the store retries on its own. */
  async invalidate(): Promise<void> {
    try {
      await this.store.newGeneration();
    } catch (err) {
      this.failed(err, "invalidate");
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private failed(err: unknown, operation: string): void {
    this.stats.failures += 1;
    const now = Date.now();
    if (now - this.lastFailureLogged < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLogged = now;
    this.log?.warn({ err, operation }, "lobby cache unavailable; reading the database");
  }
}

/** Embedded mode: one process, so the generation is a counter and the entries a bounded map. */
export class LocalLobbyStore implements LobbyCacheStore {
  private generation = 0;
  private readonly entries = new Map<string, { generation: string; value: string; expiresAt: number }>();

  constructor(
    private readonly ttlSeconds = DEFAULT_TTL_SECONDS,
    private readonly maxEntries = LOCAL_MAX_ENTRIES,
  ) {}

  async read(keys: readonly string[]) {
    const generation = String(this.generation);
    const now = Date.now();
    const values = keys.map((key) => {
      const entry = this.entries.get(key);
      return entry && entry.generation === generation && entry.expiresAt > now ? entry.value : undefined;
    });
    return { generation, values };
  }

  async write(generation: string, key: string, value: string) {
    if (generation !== String(this.generation)) return;
    this.entries.delete(key);
    // A Map iterates in insertion order, so the first key is the least recently written.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { generation, value, expiresAt: Date.now() + this.ttlSeconds * 1000 });
  }

  async newGeneration() {
    this.generation += 1;
    this.entries.clear();
  }

  async close() {
    this.entries.clear();
  }
}

export interface RedisLobbyStoreOptions {
  url: string;
  /** REDIS_KEY_PREFIX; keys are `<prefix>games:lobby:gen` and `<prefix>games:lobby:entry:<key>`. */
  keyPrefix?: string | undefined;
  ttlSeconds?: number;
  /** A command not answered within this is a failure (the request reads the database instead). */
  commandTimeoutMs?: number;
  /** How often a generation change that could not be written is tried again. */
  retryMs?: number;
}

/**
 * Real mode: the generation is one Redis key shared by every games process; an entry is stored as
 * `<generation>\n<json>` so that one MGET of the generation and the entries answers a read. A new
 * generation is a random id (not a counter), so a generation key lost to eviction or a flush can
 * never come back equal to one that old entries still carry.
 */
export class RedisLobbyStore implements LobbyCacheStore {
  readonly redis: Redis;
  private readonly generationKey: string;
  private readonly entryPrefix: string;
  private readonly ttlSeconds: number;
  private readonly retryMs: number;
  /** A generation change that did not reach Redis: until it does, this process serves nothing cached. */
  private pendingGeneration = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(opts: RedisLobbyStoreOptions, log?: Logger) {
    const prefix = `${opts.keyPrefix ?? ""}games:lobby:`;
    this.generationKey = `${prefix}gen`;
    this.entryPrefix = `${prefix}entry:`;
    this.ttlSeconds = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    this.retryMs = opts.retryMs ?? 1_000;
    this.redis = new Redis(opts.url, {
      connectionName: "casino-games-lobby",
      // Fail at once while disconnected instead of queueing: the lobby then reads the database.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 250,
      // The entries of one request (each provider's games) travel in one round trip.
      enableAutoPipelining: true,
      // A socket that never connected (Redis down) need not hold shutdown for ioredis's default 2 s.
      disconnectTimeout: 200,
    });
    let lastLogged = 0;
    this.redis.on("error", (err: Error) => {
      const now = Date.now();
      if (now - lastLogged < FAILURE_LOG_INTERVAL_MS) return;
      lastLogged = now;
      log?.warn({ err }, "lobby cache redis connection error");
    });
  }

  async read(keys: readonly string[]) {
    if (this.pendingGeneration) await this.newGeneration();
    const [generation, ...stored] = await this.redis.mget(this.generationKey, ...keys.map((k) => this.entryPrefix + k));
    if (generation === null || generation === undefined) {
      await this.redis.set(this.generationKey, randomUUID(), "NX");
      return { generation: undefined, values: keys.map(() => undefined) };
    }
    const tag = `${generation}\n`;
    return { generation, values: stored.map((s) => (s?.startsWith(tag) ? s.slice(tag.length) : undefined)) };
  }

  async write(generation: string, key: string, value: string) {
    await this.redis.set(this.entryPrefix + key, `${generation}\n${value}`, "EX", this.ttlSeconds);
  }

  async newGeneration() {
    this.pendingGeneration = true;
    try {
      await this.redis.set(this.generationKey, randomUUID());
      this.pendingGeneration = false;
      clearInterval(this.retryTimer);
      this.retryTimer = undefined;
    } catch (err) {
      this.retryTimer ??= setInterval(() => void this.newGeneration().catch(() => undefined), this.retryMs).unref();
      throw err;
    }
  }

  async close() {
    clearInterval(this.retryTimer);
    this.redis.disconnect();
  }
}

/** The service's lobby cache: Redis when the service has REDIS_URL, in-process otherwise. */
export function createLobbyCache(runtime: Pick<ServiceRuntime<never>, "config" | "env" | "log">): LobbyCache {
  const log = runtime.log.child({ component: "lobby-cache" });
  const store = runtime.config.redisUrl
    ? new RedisLobbyStore({ url: runtime.config.redisUrl, keyPrefix: runtime.env.REDIS_KEY_PREFIX }, log)
    : new LocalLobbyStore();
  return new LobbyCache(store, log);
}
