import { randomUUID } from "node:crypto";
import type { ServiceModule } from "@casino/kernel/service";
import { startTestService } from "@casino/kernel/testing/service-harness";
import type { GamesContext } from "../../src/context.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { gamesService } from "../../src/service.ts";
import { setGameEnabled } from "../operations/set-game-enabled.ts";
import type { GamesTestService, GameView } from "../operations/types.ts";
import { gameInput, upsertGame } from "../operations/upsert-game.ts";
import { upsertProvider } from "../operations/upsert-provider.ts";

/** The games service with a Prisma client that counts the queries it sends. */
let queries = 0;
const countingGamesService: ServiceModule<PrismaClient, GamesContext> = {
  ...gamesService,
  createPrisma: (adapter) => {
    const prisma = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
    prisma.$on("query", () => {
      queries += 1;
    });
    return prisma as unknown as PrismaClient;
  },
};

let svc: GamesTestService;
let admin: string;

/** Everything the lobby shows in one request: a page of games with their providers, categories, providers with their games. */
const LOBBY = `query($filter: GameFilter) {
  games(first: 50, filter: $filter) {
    edges { cursor node { id code name enabled categories minStake { amount currency } maxStake { amount currency } provider { id code name } } }
    pageInfo { hasNextPage endCursor }
  }
  categories
  providers { id code name enabled games(first: 10) { edges { node { id name provider { code } } } pageInfo { hasNextPage } } }
}`;

interface LobbyView {
  games: {
    edges: Array<{ cursor: string; node: Pick<GameView, "id" | "code" | "name" | "enabled" | "categories" | "minStake" | "maxStake"> & { provider: { id: string; code: string; name: string } } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
  categories: string[];
  providers: Array<{ id: string; code: string; name: string; enabled: boolean; games: { edges: Array<{ node: { id: string; name: string; provider: { code: string } } }> } }>;
}

async function lobby(filter: Record<string, unknown> = {}, token?: string): Promise<LobbyView> {
  const res = await svc.graphql<LobbyView>(LOBBY, { filter }, token);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

/** The lobby and the number of database queries it took. */
async function lobbyCounted(filter: Record<string, unknown> = {}, token?: string) {
  const before = queries;
  const view = await lobby(filter, token);
  return { view, queries: queries - before };
}

const code = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function createProvider(overrides: Record<string, unknown> = {}) {
  const res = await upsertProvider(svc, { code: code("studio"), name: "Cache Studio", ...overrides }, admin);
  expect(res.errors).toBeUndefined();
  return res.data!.upsertProvider;
}

async function createGame(providerId: string, overrides: Record<string, unknown> = {}) {
  const res = await upsertGame(svc, gameInput(providerId, { code: code("game"), ...overrides }), admin);
  expect(res.errors).toBeUndefined();
  return res.data!.upsertGame;
}

const gameNames = (view: LobbyView) => view.games.edges.map((e) => e.node.name);

beforeAll(async () => {
  svc = await startTestService(countingGamesService);
  admin = await svc.tokens.staff(["admin"]);
  const alpha = await createProvider({ code: "alpha", name: "Alpha" });
  const beta = await createProvider({ code: "beta", name: "Beta" });
  await createGame(alpha.id, { name: "Alpha One", categories: ["slots"], maxStake: { amount: "92233720368547758.07", currency: "GBP" } });
  await createGame(alpha.id, { name: "Alpha Two", categories: ["slots", "popular"] });
  await createGame(beta.id, { name: "Beta One", type: "ROULETTE", categories: ["table"] });
});
afterAll(async () => {
  await svc.stop();
});

describe("the cached lobby", () => {
  it("answers a repeated request without a database query, identically", async () => {
    const first = await lobbyCounted();
    expect(first.queries).toBeGreaterThan(0);
    const second = await lobbyCounted();
    expect(second.queries).toBe(0);
    expect(second.view).toEqual(first.view);
    // Stakes are BIGINT: the largest survives the cache exactly.
    expect(second.view.games.edges.find((e) => e.node.name === "Alpha One")!.node.maxStake).toEqual({ amount: "92233720368547758.07", currency: "GBP" });
  });

  it("costs a handful of queries when nothing is cached, however many providers there are", async () => {
    for (let i = 0; i < 5; i += 1) await createProvider({ name: `Bulk ${i}` });
    const cold = await lobbyCounted();
    expect(cold.view.providers.length).toBeGreaterThanOrEqual(7);
    // games, its providers, categories, providers, and the windowed query with its rows for every provider's games.
    expect(cold.queries).toBeLessThanOrEqual(6);
  });

  it("pages from a cached page's cursor", async () => {
    const first = await svc.graphql<LobbyView>(`{ games(first: 1) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`);
    const again = await svc.graphql<LobbyView>(`{ games(first: 1) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }`);
    expect(again.data).toEqual(first.data);
    const next = await svc.graphql<LobbyView>(`query($after: String) { games(first: 1, after: $after) { edges { node { name } } } }`, {
      after: again.data!.games.pageInfo.endCursor,
    });
    expect(next.errors).toBeUndefined();
    expect(next.data!.games.edges).toHaveLength(1);
    expect(next.data!.games.edges[0]!.node.name).not.toBe(first.data!.games.edges[0]!.node.name);
  });

  it("shares an entry between filters that mean the same and rejects bad input before the cache", async () => {
    await lobby({ category: "popular" });
    expect((await lobbyCounted({ category: " POPULAR " })).queries).toBe(0);
    const bad = await svc.graphql(LOBBY, { filter: { category: "Not A Slug!" } });
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("invalidation", () => {
  it("shows a new game (and its category) after upsertGame creates it", async () => {
    const provider = await createProvider();
    await lobby();
    const game = await createGame(provider.id, { name: "Fresh Arrival", categories: ["brand-new"] });
    const view = await lobby();
    expect(gameNames(view)).toContain("Fresh Arrival");
    expect(view.categories).toContain("brand-new");
    expect(view.providers.find((p) => p.id === provider.id)!.games.edges.map((e) => e.node.id)).toEqual([game.id]);
  });

  it("shows a changed game after upsertGame updates it", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id, { name: "Old Name" });
    expect(gameNames(await lobby())).toContain("Old Name");
    expect((await upsertGame(svc, gameInput(provider.id, { code: game.code, name: "New Name" }), admin)).errors).toBeUndefined();
    const view = await lobby();
    expect(gameNames(view)).toContain("New Name");
    expect(gameNames(view)).not.toContain("Old Name");
  });

  it("takes a game out after setGameEnabled(false) and puts it back after setGameEnabled(true)", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id, { name: "Switchable", categories: ["only-switchable"] });
    expect(gameNames(await lobby())).toContain("Switchable");
    expect((await setGameEnabled(svc, game.id, false, admin)).errors).toBeUndefined();
    const without = await lobby();
    expect(gameNames(without)).not.toContain("Switchable");
    expect(without.categories).not.toContain("only-switchable");
    expect(without.providers.find((p) => p.id === provider.id)!.games.edges).toEqual([]);
    expect((await setGameEnabled(svc, game.id, true, admin)).errors).toBeUndefined();
    expect(gameNames(await lobby())).toContain("Switchable");
  });

  it("shows a renamed provider and hides a disabled provider's games after upsertProvider", async () => {
    const provider = await createProvider({ name: "Before Rename" });
    await createGame(provider.id, { name: "Provider Bound" });
    expect((await lobby()).providers.map((p) => p.name)).toContain("Before Rename");
    expect((await upsertProvider(svc, { code: provider.code, name: "After Rename" }, admin)).errors).toBeUndefined();
    const renamed = await lobby();
    expect(renamed.providers.map((p) => p.name)).toContain("After Rename");
    expect(renamed.games.edges.find((e) => e.node.name === "Provider Bound")!.node.provider.name).toBe("After Rename");

    expect((await upsertProvider(svc, { code: provider.code, name: "After Rename", enabled: false }, admin)).errors).toBeUndefined();
    const disabled = await lobby();
    expect(disabled.providers.map((p) => p.id)).not.toContain(provider.id);
    expect(gameNames(disabled)).not.toContain("Provider Bound");
  });

  it("keeps the cache when an upsert changes nothing", async () => {
    const provider = await createProvider({ name: "Steady" });
    await lobby();
    expect((await upsertProvider(svc, { code: provider.code, name: "Steady" }, admin)).errors).toBeUndefined();
    expect((await lobbyCounted()).queries).toBe(0);
  });
});

describe("admin views", () => {
  it("are neither served from the public cache nor stored in it", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id, { name: "Backoffice Only" });
    expect((await setGameEnabled(svc, game.id, false, admin)).errors).toBeUndefined();
    expect(gameNames(await lobby())).not.toContain("Backoffice Only");

    // The admin's view right after a cached public one shows the disabled game...
    expect(gameNames(await lobby({ includeDisabled: true }, admin))).toContain("Backoffice Only");
    const adminAgain = await lobbyCounted({ includeDisabled: true }, admin);
    expect(adminAgain.queries).toBeGreaterThan(0);
    // ...and the public view after the admin's does not.
    expect(gameNames(await lobby({}, admin))).not.toContain("Backoffice Only");
    expect(gameNames(await lobby())).not.toContain("Backoffice Only");

    const providers = await svc.graphql<{ providers: Array<{ id: string }> }>(`{ providers(includeDisabled: true) { id } }`, {}, admin);
    expect(providers.errors).toBeUndefined();
    const disabled = await createProvider({ enabled: false });
    const all = await svc.graphql<{ providers: Array<{ id: string }> }>(`{ providers(includeDisabled: true) { id } }`, {}, admin);
    expect(all.data!.providers.map((p) => p.id)).toContain(disabled.id);
    expect((await lobby()).providers.map((p) => p.id)).not.toContain(disabled.id);
  });
});
