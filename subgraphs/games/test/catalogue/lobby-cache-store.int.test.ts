import { randomUUID } from "node:crypto";
import { jest } from "@jest/globals";
import { createLogger } from "@casino/kernel/logger";
import { Redis } from "ioredis";
import { LobbyCache, LocalLobbyStore, RedisLobbyStore, createLobbyCache } from "../../src/catalogue/lobby-cache.ts";

// Like the gateway's Redis tests: a local Redis unless REDIS_URL names another.
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Nothing listens there: a Redis that is down. */
const DEAD_REDIS_URL = "redis://127.0.0.1:1";
const log = createLogger("games-test", "silent");
const caches: LobbyCache[] = [];
let prefix: string;
let redis: Redis;

function redisCache(opts: { url?: string; ttlSeconds?: number } = {}): { cache: LobbyCache; store: RedisLobbyStore } {
  const store = new RedisLobbyStore({ url: opts.url ?? REDIS_URL, keyPrefix: prefix, ttlSeconds: opts.ttlSeconds, retryMs: 50 });
  const cache = new LobbyCache(store, log);
  caches.push(cache);
  return { cache, store };
}

/** Ready means connected: the store fails fast (no offline queue) until then. */
async function connected(store: RedisLobbyStore): Promise<void> {
  if (store.redis.status !== "ready") await new Promise((resolve) => store.redis.once("ready", resolve));
}

/** A computation that counts its calls and answers with the call number. */
function counter() {
  let calls = 0;
  const compute = jest.fn(async () => ({ call: ++calls, stake: BigInt(calls) * 10n }));
  return compute;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
beforeEach(() => {
  prefix = `test:games-lobby:${randomUUID()}:`;
});
afterEach(async () => {
  await Promise.all(caches.splice(0).map((c) => c.close()));
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
});
afterAll(() => {
  redis.disconnect();
});

describe.each([
  ["in-process", () => ({ cache: new LobbyCache(new LocalLobbyStore()), ready: Promise.resolve() })],
  [
    "Redis",
    () => {
      const { cache, store } = redisCache();
      return { cache, ready: connected(store) };
    },
  ],
])("the lobby cache (%s)", (_name, make) => {
  it("computes a key once, then answers from the cache until invalidated", async () => {
    const { cache, ready } = make();
    await ready;
    // The first read of a new Redis store finds no generation yet, makes one and stores nothing.
    await cache.remember("warm-up", counter());
    const compute = counter();
    const first = await cache.remember("categories", compute);
    expect(first).toEqual({ call: 1, stake: 10n });
    expect(await cache.remember("categories", compute)).toEqual(first);
    expect(await cache.remember("categories", compute)).toEqual(first);
    expect(compute).toHaveBeenCalledTimes(1);
    expect(cache.stats.hits).toBe(2);

    await cache.invalidate();
    expect(await cache.remember("categories", compute)).toEqual({ call: 2, stake: 20n });
    await cache.close();
  });

  it("keeps keys apart", async () => {
    const { cache, ready } = make();
    await ready;
    await cache.remember("warm-up", counter());
    expect(await cache.remember("a", async () => "A")).toBe("A");
    expect(await cache.remember("b", async () => "B")).toBe("B");
    expect(await cache.remember("a", async () => "not cached")).toBe("A");
    await cache.close();
  });

  it("reads the database once for concurrent misses of one key", async () => {
    const { cache, ready } = make();
    await ready;
    await cache.remember("warm-up", counter());
    const compute = counter();
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.remember("providers", compute)));
    expect(compute).toHaveBeenCalledTimes(1);
    expect(new Set(answers.map((a) => a.call))).toEqual(new Set([1]));
    await cache.close();
  });
});

describe("the in-process store", () => {
  it("holds at most its bound, dropping the oldest entry", async () => {
    const cache = new LobbyCache(new LocalLobbyStore(60, 3));
    for (const key of ["a", "b", "c", "d"]) await cache.remember(key, async () => key);
    expect(await cache.remember("a", async () => "recomputed")).toBe("recomputed");
    expect(await cache.remember("d", async () => "recomputed")).toBe("d");
  });
});

describe("the Redis store", () => {
  it("shares invalidation between processes: a write in either makes the other read again", async () => {
    const one = redisCache();
    const two = redisCache();
    await Promise.all([connected(one.store), connected(two.store)]);
    await one.cache.remember("warm-up", counter());
    const notCalled = jest.fn(async () => "recomputed");
    expect(await one.cache.remember("games|20", async () => "v1")).toBe("v1");
    // One Redis, one entry: the second process finds the first one's.
    expect(await two.cache.remember("games|20", notCalled)).toBe("v1");

    await two.cache.invalidate();
    expect(await one.cache.remember("games|20", async () => "v2")).toBe("v2");
    expect(await two.cache.remember("games|20", notCalled)).toBe("v2");

    await one.cache.invalidate();
    expect(await two.cache.remember("games|20", async () => "v3")).toBe("v3");
    expect(await one.cache.remember("games|20", notCalled)).toBe("v3");
    expect(notCalled).not.toHaveBeenCalled();
  });

  it("never serves what was computed before an invalidation that happened during the computation", async () => {
    const { cache, store } = redisCache();
    await connected(store);
    await cache.remember("warm-up", counter());
    const stale = cache.remember("games|20", async () => {
      await cache.invalidate();
      return "read before the write committed";
    });
    expect(await stale).toBe("read before the write committed");
    expect(await cache.remember("games|20", async () => "fresh")).toBe("fresh");
  });

  it("expires entries after the TTL", async () => {
    const { cache, store } = redisCache({ ttlSeconds: 1 });
    await connected(store);
    await cache.remember("warm-up", counter());
    await cache.remember("categories", async () => ["slots"]);
    const ttl = await redis.pttl(`${prefix}games:lobby:entry:categories`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
  });

  it("makes a generation change that failed before it serves anything cached again", async () => {
    const { cache, store } = redisCache();
    await connected(store);
    await cache.remember("warm-up", counter());
    await cache.remember("categories", async () => "before the write");
    const set = jest.spyOn(store.redis, "set").mockRejectedValueOnce(new Error("connection lost"));
    await cache.invalidate();
    expect(cache.stats.failures).toBe(1);
    set.mockRestore();
    expect(await cache.remember("categories", async () => "after the write")).toBe("after the write");
  });

  it("still answers, from the computation, when Redis is down, and invalidating does not throw", async () => {
    const { cache } = redisCache({ url: DEAD_REDIS_URL });
    const compute = counter();
    expect((await cache.remember("categories", compute)).call).toBe(1);
    expect((await cache.remember("categories", compute)).call).toBe(2);
    await expect(cache.invalidate()).resolves.toBeUndefined();
    expect(cache.stats.failures).toBeGreaterThanOrEqual(3);
    expect(cache.stats.hits).toBe(0);
  });
});

describe("createLobbyCache", () => {
  it("uses Redis, under REDIS_KEY_PREFIX, when the service has REDIS_URL", async () => {
    const cache = createLobbyCache({ config: { redisUrl: REDIS_URL } as never, env: { REDIS_KEY_PREFIX: prefix }, log });
    caches.push(cache);
    // Until connected, reads go to the computation; once connected, the first read makes the generation key.
    for (let attempt = 0; attempt < 50 && (await redis.exists(`${prefix}games:lobby:gen`)) === 0; attempt += 1) {
      await cache.remember("categories", async () => []);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await redis.exists(`${prefix}games:lobby:gen`)).toBe(1);
  });

  it("keeps the cache in the process without REDIS_URL", async () => {
    const cache = createLobbyCache({ config: { redisUrl: undefined } as never, env: {}, log });
    await cache.remember("categories", async () => ["slots"]);
    expect(await cache.remember("categories", async () => ["recomputed"])).toEqual(["slots"]);
    await cache.close();
  });
});
