import { randomUUID } from "node:crypto";
import { startTestService } from "@casino/kernel/testing/service-harness";
import type { Game } from "../src/generated/prisma/client.ts";
import { gamesService } from "../src/service.ts";
import { queryLobby, walkLobby } from "./operations/query-lobby.ts";
import { setGameEnabled } from "./operations/set-game-enabled.ts";
import type { GamePage, GamesTestService, ProviderView } from "./operations/types.ts";
import { gameInput, upsertGame } from "./operations/upsert-game.ts";
import { upsertProvider } from "./operations/upsert-provider.ts";

let svc: GamesTestService;
let admin: string;
const providers: Record<"alpha" | "beta" | "gamma" | "delta", ProviderView> = {} as never;
const gameIds = new Map<string, string>();

/** name, type, categories, jurisdictions */
type GameSpec = [string, string, string[], string[]];

const ALPHA_GAMES: GameSpec[] = [
  ["Starlight Fortune", "SLOT", ["popular", "jackpot"], ["GB", "MT"]],
  ["Lucky Stars", "SLOT", ["popular"], ["GB"]],
  ["100% Hot", "SLOT", ["classic"], ["MT"]],
  ["Crash Rocket", "CRASH", ["instant"], ["GB"]],
  ["Hidden Vault", "SLOT", ["secret"], ["GB"]],
];
const BETA_GAMES: GameSpec[] = [
  ["Mega Roulette", "ROULETTE", ["live", "table"], ["GB", "MT"]],
  ["Speed Roulette", "ROULETTE", ["live"], ["SE"]],
  ["Blackjack Star", "TABLE", ["table", "jackpot"], ["MT"]],
];
const GAMMA_GAMES: GameSpec[] = [["Gamma Dice", "OTHER", ["originals"], ["GB"]]];
const DELTA_SPINS: GameSpec[] = Array.from({ length: 10 }, (_, i) => [`Delta Spin ${i + 1}`, "SLOT", ["bulk"], ["GB"]]);
/** Inserted with one shared createdAt, so only the id orders them. */
const DELTA_TIED = Array.from({ length: 6 }, (_, i) => `Delta Reel ${i + 1}`);
/** Enabled games of enabled providers: everything but Hidden Vault and the disabled provider's Gamma Dice. */
const LOBBY_SIZE = 4 + BETA_GAMES.length + DELTA_SPINS.length + DELTA_TIED.length;

async function createProvider(code: string, name: string, integration: string, protocol: string | null) {
  const res = await upsertProvider(svc, { code, name, integration, protocol }, admin);
  expect(res.errors).toBeUndefined();
  return res.data!.upsertProvider;
}

async function createGames(providerId: string, specs: GameSpec[]) {
  // Sequential on purpose: each game gets a later createdAt than the one before.
  for (const [name, type, categories, jurisdictions] of specs) {
    const code = name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const res = await upsertGame(svc, gameInput(providerId, { code, name, type, categories, jurisdictions }), admin);
    expect(res.errors).toBeUndefined();
    gameIds.set(name, res.data!.upsertGame.id);
  }
}

beforeAll(async () => {
  svc = await startTestService(gamesService);
  admin = await svc.tokens.staff(["admin"]);
  providers.alpha = await createProvider("alpha", "Alpha Gaming", "AGGREGATOR", "hub88");
  providers.beta = await createProvider("beta", "Beta Live", "DIRECT", "beta-rgs");
  providers.gamma = await createProvider("gamma", "Gamma Originals", "PROPRIETARY", null);
  providers.delta = await createProvider("delta", "Delta Batch", "AGGREGATOR", "softswiss");
  await createGames(providers.alpha.id, ALPHA_GAMES);
  await createGames(providers.beta.id, BETA_GAMES);
  await createGames(providers.gamma.id, GAMMA_GAMES);
  const tiedAt = new Date();
  await svc.runtime.prisma.game.createMany({
    data: DELTA_TIED.map((name, i) => ({
      id: randomUUID(),
      providerId: providers.delta.id,
      code: `delta-reel-${i + 1}`,
      name,
      type: "SLOT" as const,
      rtpBasisPoints: 9500,
      volatility: "MEDIUM" as const,
      minStakeMinor: 20n,
      maxStakeMinor: 2_000n,
      stakeCurrency: "EUR",
      jurisdictions: ["GB"],
      categories: ["bulk"],
      createdAt: tiedAt,
    })),
  });
  await createGames(providers.delta.id, DELTA_SPINS);
  expect((await setGameEnabled(svc, gameIds.get("Hidden Vault")!, false, admin)).errors).toBeUndefined();
  expect((await upsertProvider(svc, { code: "gamma", name: "Gamma Originals", integration: "PROPRIETARY", protocol: null, enabled: false }, admin)).errors).toBeUndefined();
});
afterAll(async () => {
  await svc.stop();
});

/** The lobby order, worked out here rather than by the database: newest first, then id descending. */
function newestFirst(games: Game[]): string[] {
  return [...games]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((g) => g.id);
}

async function lobbyNames(filter: Record<string, unknown>, token?: string): Promise<string[]> {
  const res = await queryLobby(svc, { first: 100, filter }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.games.edges.map((e) => e.node.name).sort();
}

describe("the lobby", () => {
  it("is public and lists only enabled games of enabled providers", async () => {
    const names = await lobbyNames({});
    expect(names).toHaveLength(LOBBY_SIZE);
    expect(names).not.toContain("Hidden Vault");
    expect(names).not.toContain("Gamma Dice");
  });

  it.each([1, 4, 5, 100])("pages through every game exactly once, newest first, %i at a time", async (first) => {
    const lobbyGames = await svc.runtime.prisma.game.findMany({ where: { enabled: true, provider: { enabled: true } } });
    const { ids, pageSizes } = await walkLobby(svc, first, {});
    expect(ids).toEqual(newestFirst(lobbyGames));
    expect(new Set(ids).size).toBe(LOBBY_SIZE);
    expect(pageSizes).toEqual(Array.from({ length: Math.ceil(LOBBY_SIZE / first) }, (_, i) => Math.min(first, LOBBY_SIZE - i * first)));
  });

  it("orders games created in the same millisecond by id, across page boundaries", async () => {
    const tied = await svc.runtime.prisma.game.findMany({ where: { code: { startsWith: "delta-reel-" } } });
    expect(new Set(tied.map((g) => g.createdAt.getTime())).size).toBe(1);
    const { ids } = await walkLobby(svc, 4, { providerId: providers.delta.id });
    const tiedIds = ids.filter((id) => tied.some((g) => g.id === id));
    expect(tiedIds).toEqual(tied.map((g) => g.id).sort().reverse());
  });

  it.each([
    ["type", { type: "ROULETTE" }, ["Mega Roulette", "Speed Roulette"]],
    ["provider", { providerId: "beta" }, ["Blackjack Star", "Mega Roulette", "Speed Roulette"]],
    ["a disabled provider", { providerId: "gamma" }, []],
    ["category, case-insensitively", { category: "JACKPOT" }, ["Blackjack Star", "Starlight Fortune"]],
    ["jurisdiction, lower-case", { jurisdiction: "mt" }, ["100% Hot", "Blackjack Star", "Mega Roulette", "Starlight Fortune"]],
    ["name substring, case-insensitively", { search: "  STAR " }, ["Blackjack Star", "Lucky Stars", "Starlight Fortune"]],
    ["a literal percent sign", { search: "0%" }, ["100% Hot"]],
    ["a literal underscore", { search: "_" }, []],
    ["several filters at once", { type: "SLOT", jurisdiction: "MT", category: "jackpot" }, ["Starlight Fortune"]],
  ])("filters by %s", async (_case, filter: Record<string, unknown>, expected) => {
    const providerCode = filter.providerId as keyof typeof providers | undefined;
    const resolved = providerCode ? { ...filter, providerId: providers[providerCode].id } : filter;
    expect(await lobbyNames(resolved)).toEqual(expected);
  });

  it("paginates a filtered lobby without duplicates or gaps", async () => {
    const slots = await svc.runtime.prisma.game.findMany({ where: { type: "SLOT", enabled: true, provider: { enabled: true } } });
    const { ids, pageSizes } = await walkLobby(svc, 3, { type: "SLOT" });
    expect(ids).toEqual(newestFirst(slots));
    expect(pageSizes.length).toBeGreaterThan(5);
  });

  it("shows disabled games only to admin staff who ask for them", async () => {
    const everything = await lobbyNames({ includeDisabled: true }, admin);
    expect(everything).toHaveLength(LOBBY_SIZE + 2);
    expect(everything).toEqual(expect.arrayContaining(["Hidden Vault", "Gamma Dice"]));
    expect(await lobbyNames({ providerId: providers.alpha.id, includeDisabled: true }, admin)).toContain("Hidden Vault");
    // An admin browsing the lobby itself sees what players see.
    expect(await lobbyNames({}, admin)).toHaveLength(LOBBY_SIZE);
  });

  it.each([
    ["first below 1", { first: 0 }, "first"],
    ["first above 100", { first: 101 }, "first"],
    ["a cursor that is not one", { after: "not-a-cursor" }, "after"],
    ["an unknown country", { filter: { jurisdiction: "ZZ" } }, "filter.jurisdiction"],
    ["a malformed provider id", { filter: { providerId: "alpha" } }, "filter.providerId"],
    ["an overlong search", { filter: { search: "x".repeat(101) } }, "filter.search"],
  ])("refuses %s as BAD_USER_INPUT", async (_case, args, field) => {
    const res = await queryLobby(svc, args);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(res.data).toBeNull();
  });
});

describe("providers and categories", () => {
  const PROVIDERS = `query($includeDisabled: Boolean) { providers(includeDisabled: $includeDisabled) { code name enabled } }`;

  it("lists enabled providers by name for everyone, and all of them for admin staff who ask", async () => {
    const open = await svc.graphql<{ providers: Array<{ code: string }> }>(PROVIDERS, {});
    expect(open.data!.providers.map((p) => p.code)).toEqual(["alpha", "beta", "delta"]);
    const all = await svc.graphql<{ providers: Array<{ code: string; enabled: boolean }> }>(PROVIDERS, { includeDisabled: true }, admin);
    expect(all.data!.providers.map((p) => [p.code, p.enabled])).toEqual([
      ["alpha", true],
      ["beta", true],
      ["delta", true],
      ["gamma", false],
    ]);
    const denied = await svc.graphql(PROVIDERS, { includeDisabled: true }, await svc.tokens.staff(["support"]));
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("lists the categories of the games in the lobby, sorted, each once", async () => {
    const res = await svc.graphql<{ categories: string[] }>(`{ categories }`);
    expect(res.data!.categories).toEqual(["bulk", "classic", "instant", "jackpot", "live", "popular", "table"]);
  });

  it("pages each provider's lobby games, for many providers in one request", async () => {
    const res = await svc.graphql<{ providers: Array<{ code: string; games: GamePage }> }>(
      `{ providers { code games(first: 2) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } } }`,
    );
    expect(res.errors).toBeUndefined();
    const byCode = Object.fromEntries(res.data!.providers.map((p) => [p.code, p.games]));
    expect(byCode.alpha!.edges.map((e) => e.node.name)).toEqual(["Crash Rocket", "100% Hot"]);
    expect(byCode.beta!.edges.map((e) => e.node.name)).toEqual(["Blackjack Star", "Speed Roulette"]);
    expect(byCode.delta!.edges.map((e) => e.node.name)).toEqual(["Delta Spin 10", "Delta Spin 9"]);
    expect(Object.values(byCode).every((page) => page.pageInfo.hasNextPage)).toBe(true);
  });

  it("continues a provider's games from a cursor, in the same order as the lobby", async () => {
    const ENTITIES = `query($representations: [_Any!]!, $after: String) {
      _entities(representations: $representations) {
        ... on Provider { code games(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }
      }
    }`;
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const res: { data?: { _entities: Array<{ games: GamePage }> } | null } = await svc.graphql(ENTITIES, {
        representations: [{ __typename: "Provider", id: providers.alpha.id }],
        after,
      });
      const games: GamePage = res.data!._entities[0]!.games;
      ids.push(...games.edges.map((e) => e.node.id));
      if (!games.pageInfo.hasNextPage) break;
      after = games.pageInfo.endCursor;
    }
    const lobby = await walkLobby(svc, 100, { providerId: providers.alpha.id });
    expect(ids).toEqual(lobby.ids);
    expect(ids).toHaveLength(4);
  });
});
