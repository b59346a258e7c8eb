/**
 * Lobby latency, cached against uncached, straight to one games subgraph (no gateway):
 *
 *   cd subgraphs/games && node --import tsx test/catalogue/measure-lobby-latency.ts [requests]
 *
 * Embedded by default; with DATABASE_URL (and REDIS_URL for the Redis cache) against real services.
 * Seeds the demo catalogue plus 200 games, then sends the same lobby request (a page of 20 games with
 * their providers, categories, providers with 10 games each) sequentially: uncached starts a new
 * catalogue generation before each request, cached repeats it. Prints p50/p99 and queries per request.
 * A measurement, not a test: nothing here asserts a time.
 */
import { performance } from "node:perf_hooks";
import type { ServiceModule } from "@casino/kernel/service";
import { startTestService } from "@casino/kernel/testing/service-harness";
import { Catalogue } from "../../src/catalogue/catalogue.ts";
import { createLobbyCache, type LobbyCache } from "../../src/catalogue/lobby-cache.ts";
import { seedDemoCatalogue } from "../../src/catalogue/seed.ts";
import type { GamesContext } from "../../src/context.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { gamesService } from "../../src/service.ts";

const REQUESTS = Number(process.argv[2] ?? 500);
const LOBBY = `{
  games(first: 20) { edges { cursor node { id code name rtp minStake { amount currency } maxStake { amount currency } categories provider { id name } } } pageInfo { hasNextPage endCursor } }
  categories
  providers { id name games(first: 10) { edges { node { id name } } } }
}`;

let queries = 0;
let cache: LobbyCache | undefined;
let catalogue: Catalogue | undefined;
const measured: ServiceModule<PrismaClient, GamesContext> = {
  ...gamesService,
  createPrisma: (adapter) => {
    const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
    prisma.$on("query", () => void (queries += 1));
    return prisma as unknown as PrismaClient;
  },
  async setup(runtime) {
    const definition = await gamesService.setup(runtime);
    cache = createLobbyCache(runtime);
    runtime.onShutdown(() => cache!.close());
    catalogue = new Catalogue(runtime.prisma, runtime.publishOutbox, cache);
    return { ...definition, createContext: async (base) => ({ ...(await definition.createContext(base)), catalogue: catalogue! }) };
  },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(label: string, svc: Awaited<ReturnType<typeof startTestService<PrismaClient, GamesContext>>>, invalidate: boolean) {
  const times: number[] = [];
  const queriesBefore = queries;
  for (let i = 0; i < REQUESTS; i += 1) {
    if (invalidate) await cache!.invalidate();
    const start = performance.now();
    const res = await svc.graphql(LOBBY);
    times.push(performance.now() - start);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  }
  times.sort((a, b) => a - b);
  const row = { label, requests: REQUESTS, p50Ms: +percentile(times, 50).toFixed(2), p99Ms: +percentile(times, 99).toFixed(2), queriesPerRequest: +((queries - queriesBefore) / REQUESTS).toFixed(2) };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

const svc = await startTestService(measured);
try {
  await seedDemoCatalogue(catalogue!, svc.runtime.prisma);
  const provider = await svc.runtime.prisma.provider.findUniqueOrThrow({ where: { code: "aurora-studios" } });
  for (let i = 0; i < 200; i += 1) {
    await catalogue!.upsertGame({
      providerId: provider.id, code: `bulk-${i}`, name: `Bulk Spin ${i}`, type: "SLOT", rtpBasisPoints: 9600, volatility: "MEDIUM",
      minStake: { amount: "0.10", currency: "GBP" }, maxStake: { amount: "5.00", currency: "GBP" }, jurisdictions: ["GB"], categories: ["slots", `set-${i % 7}`],
    });
  }
  process.stdout.write(`${JSON.stringify({ mode: svc.runtime.config.mode, cache: svc.runtime.config.redisUrl ? "redis" : "in-process" })}\n`);
  // Warm-up of both paths (JIT, connection pools), not recorded.
  for (let i = 0; i < 50; i += 1) await svc.graphql(LOBBY);
  await run("uncached", svc, true);
  await run("cached", svc, false);
} finally {
  await svc.stop();
}
