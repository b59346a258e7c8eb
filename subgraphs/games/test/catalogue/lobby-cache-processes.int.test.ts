import { randomUUID } from "node:crypto";
import type { ServiceModule } from "@casino/kernel/service";
import { startTestService } from "@casino/kernel/testing/service-harness";
import { Redis } from "ioredis";
import { Catalogue } from "../../src/catalogue/catalogue.ts";
import { createLobbyCache } from "../../src/catalogue/lobby-cache.ts";
import type { GamesContext } from "../../src/context.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { gamesService } from "../../src/service.ts";
import type { GamesTestService } from "../operations/types.ts";
import { gameInput, upsertGame } from "../operations/upsert-game.ts";
import { upsertProvider } from "../operations/upsert-provider.ts";

// Like the gateway's Redis tests: a local Redis unless REDIS_URL names another.
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * One games process behind a load balancer: the lobby cache from createLobbyCache (Redis here), and a
 * Prisma client that counts the queries it sends.
 */
function gamesProcess(counter: { queries: number }): ServiceModule<PrismaClient, GamesContext> {
  return {
    ...gamesService,
    createPrisma: (adapter) => {
      const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
      prisma.$on("query", () => {
        counter.queries += 1;
      });
      return prisma as unknown as PrismaClient;
    },
    async setup(runtime) {
      const definition = await gamesService.setup(runtime);
      const lobbyCache = createLobbyCache(runtime);
      runtime.onShutdown(() => lobbyCache.close());
      const catalogue = new Catalogue(runtime.prisma, runtime.publishOutbox, lobbyCache);
      return { ...definition, createContext: async (base) => ({ ...(await definition.createContext(base)), catalogue }) };
    },
  };
}

const CATEGORIES = `{ categories }`;
const counters = [{ queries: 0 }, { queries: 0 }];
let one: GamesTestService;
let two: GamesTestService;
let admin: string;

async function categories(svc: GamesTestService, counter: { queries: number }) {
  const before = counter.queries;
  const res = await svc.graphql<{ categories: string[] }>(CATEGORIES);
  expect(res.errors).toBeUndefined();
  return { categories: res.data!.categories, queries: counter.queries - before };
}

const REDIS_KEY_PREFIX = `test:games-processes:${randomUUID()}:`;

beforeAll(async () => {
  // Both processes share the Redis prefix and, with PostgreSQL, one schema: one deployment.
  const shared = { REDIS_URL, REDIS_KEY_PREFIX, GAMES_DATABASE_SCHEMA: `t_games_lb_${randomUUID().slice(0, 8)}` };
  one = await startTestService(gamesProcess(counters[0]!), shared);
  two = await startTestService(gamesProcess(counters[1]!), shared);
  admin = await one.tokens.staff(["admin"]);
});
afterAll(async () => {
  await two?.stop();
  await one?.stop();
  // The harness removes the keys of the prefix it chose; this one is ours.
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${REDIS_KEY_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe("two games processes sharing one Redis", () => {
  it("share cached entries and both read again after a write through either", async () => {
    const provider = await upsertProvider(one, { code: "shared-studio" }, admin);
    expect(provider.errors).toBeUndefined();
    // Warm both: the second of each pair is a hit without a query.
    await categories(one, counters[0]!);
    await categories(two, counters[1]!);
    expect((await categories(one, counters[0]!)).queries).toBe(0);
    expect((await categories(two, counters[1]!)).queries).toBe(0);

    // A write through the first process...
    const created = await upsertGame(one, gameInput(provider.data!.upsertProvider.id, { code: "shared-game", categories: ["shared-category"] }), admin);
    expect(created.errors).toBeUndefined();
    // ...makes the second read the database again; the first then finds what the second stored.
    const afterWrite = await categories(two, counters[1]!);
    expect(afterWrite.queries).toBeGreaterThan(0);
    const firstAfterWrite = await categories(one, counters[0]!);
    expect(firstAfterWrite.queries).toBe(0);
    expect(firstAfterWrite.categories).toEqual(afterWrite.categories);
    // Embedded, each process has its own database, empty in the second; with PostgreSQL both share one.
    expect(afterWrite.categories).toEqual(process.env.DATABASE_URL ? ["shared-category"] : []);
  });
});
