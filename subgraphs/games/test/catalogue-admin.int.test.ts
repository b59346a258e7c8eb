import { randomUUID } from "node:crypto";
import { startTestService } from "@casino/kernel/testing/service-harness";
import { gamesService } from "../src/service.ts";
import { queryGame } from "./operations/query-game.ts";
import { queryLobby } from "./operations/query-lobby.ts";
import { setGameEnabled } from "./operations/set-game-enabled.ts";
import type { GamesTestService } from "./operations/types.ts";
import { gameInput, upsertGame } from "./operations/upsert-game.ts";
import { upsertProvider } from "./operations/upsert-provider.ts";

let svc: GamesTestService;
let admin: string;

beforeAll(async () => {
  svc = await startTestService(gamesService);
  admin = await svc.tokens.staff(["admin"]);
});
afterAll(async () => {
  await svc.stop();
});

const uniqueCode = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function createProvider(overrides: Record<string, unknown> = {}) {
  const res = await upsertProvider(svc, { code: uniqueCode("studio"), ...overrides }, admin);
  expect(res.errors).toBeUndefined();
  return res.data!.upsertProvider;
}

async function createGame(providerId: string, overrides: Record<string, unknown> = {}) {
  const res = await upsertGame(svc, gameInput(providerId, { code: uniqueCode("game"), ...overrides }), admin);
  expect(res.errors).toBeUndefined();
  return res.data!.upsertGame;
}

const catalogueEvents = (aggregateId: string) =>
  svc.runtime.prisma.outboxEvent.findMany({ where: { aggregateId, type: "games.catalogue_changed" }, orderBy: { seq: "asc" } });

describe("upsertProvider", () => {
  it("creates a provider by code, then updates the same one, writing an event for each change", async () => {
    const code = uniqueCode("evo");
    const created = await upsertProvider(svc, { code, name: "Evo Live", integration: "DIRECT", protocol: "evo-rgs" }, admin);
    expect(created.errors).toBeUndefined();
    expect(created.data!.upsertProvider).toMatchObject({ code, name: "Evo Live", integration: "DIRECT", protocol: "evo-rgs", enabled: true });
    const providerId = created.data!.upsertProvider.id;

    const renamed = await upsertProvider(svc, { code, name: "Evolution Live", integration: "DIRECT", protocol: "evo-rgs" }, admin);
    expect(renamed.data!.upsertProvider).toMatchObject({ id: providerId, name: "Evolution Live" });

    const events = await catalogueEvents(providerId);
    expect(events.map((e) => e.payload)).toEqual([
      { providerId, change: "created" },
      { providerId, change: "updated" },
    ]);
    expect(await svc.runtime.prisma.provider.count({ where: { code } })).toBe(1);
  });

  it("creates a provider once when first upserts of one code race", async () => {
    const code = uniqueCode("race");
    const results = await Promise.all(Array.from({ length: 5 }, () => upsertProvider(svc, { code }, admin)));
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const ids = new Set(results.map((r) => r.data!.upsertProvider.id));
    expect(ids.size).toBe(1);
    expect(await svc.runtime.prisma.provider.count({ where: { code } })).toBe(1);
    expect((await catalogueEvents([...ids][0]!)).map((e) => e.payload)).toEqual([{ providerId: [...ids][0], change: "created" }]);
  });

  it("writes nothing when the input changes nothing", async () => {
    const provider = await createProvider();
    const again = await upsertProvider(svc, { code: provider.code }, admin);
    expect(again.data!.upsertProvider).toEqual(provider);
    expect(await catalogueEvents(provider.id)).toHaveLength(1);
  });

  it("keeps a disabled provider disabled when an update omits `enabled`", async () => {
    const provider = await createProvider({ enabled: false });
    const renamed = await upsertProvider(svc, { code: provider.code, name: "Renamed Studio" }, admin);
    expect(renamed.data!.upsertProvider).toMatchObject({ name: "Renamed Studio", enabled: false });
  });

  it.each([
    [{ code: "Bad Code" }, "code"],
    [{ code: "x" }, "code"],
    [{ name: "   " }, "name"],
    [{ integration: "PROPRIETARY", protocol: "hub88" }, "protocol"],
    [{ integration: "AGGREGATOR", protocol: null }, "protocol"],
    [{ protocol: "Hub 88" }, "protocol"],
  ])("refuses %j as BAD_USER_INPUT on %s and writes nothing", async (overrides: Record<string, unknown>, field) => {
    const input = { code: uniqueCode("bad"), ...overrides };
    const providersBefore = await svc.runtime.prisma.provider.count();
    const res = await upsertProvider(svc, input, admin);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(res.data).toBeNull();
    expect(await svc.runtime.prisma.provider.count()).toBe(providersBefore);
  });
});

describe("upsertGame", () => {
  it("creates a game with exact money and RTP, normalised lists and a catalogue event", async () => {
    const provider = await createProvider();
    const res = await upsertGame(
      svc,
      gameInput(provider.id, {
        code: "mega-roulette",
        name: "Mega Roulette",
        type: "ROULETTE",
        rtpBasisPoints: 9730,
        volatility: "LOW",
        minStake: { amount: "0.1", currency: "gbp" },
        maxStake: { amount: "5000", currency: "GBP" },
        jurisdictions: ["mt", "GB", "gb"],
        categories: ["Live", "table", "live"],
      }),
      admin,
    );
    expect(res.errors).toBeUndefined();
    const game = res.data!.upsertGame;
    expect(game).toMatchObject({
      code: "mega-roulette",
      name: "Mega Roulette",
      type: "ROULETTE",
      rtp: "97.30",
      rtpBasisPoints: 9730,
      volatility: "LOW",
      enabled: true,
      minStake: { amount: "0.10", currency: "GBP" },
      maxStake: { amount: "5000.00", currency: "GBP" },
      jurisdictions: ["GB", "MT"],
      categories: ["live", "table"],
      provider: { id: provider.id, code: provider.code },
    });
    const stored = await svc.runtime.prisma.game.findUniqueOrThrow({ where: { id: game.id } });
    expect(stored).toMatchObject({ minStakeMinor: 10n, maxStakeMinor: 500_000n, stakeCurrency: "GBP" });
    expect((await catalogueEvents(game.id)).map((e) => e.payload)).toEqual([
      { gameId: game.id, providerId: provider.id, change: "created" },
    ]);
  });

  it.each([
    [0, "0.00"],
    [5, "0.05"],
    [9650, "96.50"],
    [10000, "100.00"],
  ])("formats %i basis points as %s", async (rtpBasisPoints, rtp) => {
    const provider = await createProvider();
    const game = await createGame(provider.id, { rtpBasisPoints });
    expect(game.rtp).toBe(rtp);
  });

  it("updates the game with the same provider and code, keeping its id and its disabled state", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id);
    expect((await setGameEnabled(svc, game.id, false, admin)).errors).toBeUndefined();

    const res = await upsertGame(svc, gameInput(provider.id, { code: game.code, name: "Starlight Fortune Deluxe", rtpBasisPoints: 9600 }), admin);
    expect(res.data!.upsertGame).toMatchObject({ id: game.id, name: "Starlight Fortune Deluxe", rtp: "96.00", enabled: false });
    expect((await catalogueEvents(game.id)).map((e) => (e.payload as { change: string }).change)).toEqual(["created", "disabled", "updated"]);
    expect(await svc.runtime.prisma.game.count({ where: { providerId: provider.id } })).toBe(1);
  });

  it("writes nothing when the input changes nothing", async () => {
    const provider = await createProvider();
    const input = gameInput(provider.id, { code: uniqueCode("same") });
    const first = await upsertGame(svc, input, admin);
    const second = await upsertGame(svc, input, admin);
    expect(second.data!.upsertGame).toEqual(first.data!.upsertGame);
    expect(await catalogueEvents(first.data!.upsertGame.id)).toHaveLength(1);
  });

  it.each([
    ["rtpBasisPoints above 10000", { rtpBasisPoints: 10001 }, "rtpBasisPoints"],
    ["negative rtpBasisPoints", { rtpBasisPoints: -1 }, "rtpBasisPoints"],
    ["minimum above maximum", { minStake: { amount: "5.00", currency: "GBP" }, maxStake: { amount: "1.00", currency: "GBP" } }, "maxStake.amount"],
    ["zero minimum", { minStake: { amount: "0", currency: "GBP" } }, "minStake.amount"],
    ["stakes in two currencies", { maxStake: { amount: "100.00", currency: "EUR" } }, "maxStake.currency"],
    ["an unsupported currency", { minStake: { amount: "1", currency: "XYZ" }, maxStake: { amount: "2", currency: "XYZ" } }, "minStake.currency"],
    ["more decimals than the currency has", { minStake: { amount: "0.001", currency: "GBP" } }, "minStake.amount"],
    ["a float in disguise", { maxStake: { amount: "1e3", currency: "GBP" } }, "maxStake.amount"],
    ["an unknown country", { jurisdictions: ["GB", "XX"] }, "jurisdictions"],
    ["an alpha-3 country", { jurisdictions: ["GBR"] }, "jurisdictions"],
    ["no jurisdiction", { jurisdictions: [] }, "jurisdictions"],
    ["a bad code", { code: "Starlight Fortune" }, "code"],
    ["a bad category", { categories: ["new games!"] }, "categories"],
    ["a malformed provider id", { providerId: "not-an-id" }, "providerId"],
    ["an unknown provider", { providerId: randomUUID() }, "providerId"],
  ])("refuses %s as BAD_USER_INPUT and writes nothing", async (_case, overrides, field) => {
    const provider = await createProvider();
    const outboxBefore = await svc.runtime.prisma.outboxEvent.count();
    const res = await upsertGame(svc, gameInput(provider.id, overrides), admin);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(res.data).toBeNull();
    expect(await svc.runtime.prisma.game.count({ where: { providerId: provider.id } })).toBe(0);
    expect(await svc.runtime.prisma.outboxEvent.count()).toBe(outboxBefore);
  });
});

describe("setGameEnabled", () => {
  it("takes a game out of the lobby and puts it back, with an event for each change only", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id);
    const inLobby = async () => {
      const res = await queryLobby(svc, { filter: { providerId: provider.id } });
      return res.data!.games.edges.map((e) => e.node.id);
    };
    expect(await inLobby()).toEqual([game.id]);

    expect((await setGameEnabled(svc, game.id, false, admin)).data!.setGameEnabled).toEqual({ id: game.id, enabled: false });
    expect((await setGameEnabled(svc, game.id, false, admin)).data!.setGameEnabled.enabled).toBe(false);
    expect(await inLobby()).toEqual([]);

    await setGameEnabled(svc, game.id, true, admin);
    expect(await inLobby()).toEqual([game.id]);
    expect((await catalogueEvents(game.id)).map((e) => e.payload)).toEqual([
      { gameId: game.id, providerId: provider.id, change: "created" },
      { gameId: game.id, providerId: provider.id, change: "disabled" },
      { gameId: game.id, providerId: provider.id, change: "enabled" },
    ]);
  });

  it("answers NOT_FOUND for an unknown game and BAD_USER_INPUT for a malformed id", async () => {
    expect((await setGameEnabled(svc, randomUUID(), false, admin)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await setGameEnabled(svc, "42", false, admin)).errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
  });
});

describe("a disabled game", () => {
  it("is visible through game(id) to admin staff only", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id);
    await setGameEnabled(svc, game.id, false, admin);

    expect((await queryGame(svc, game.id)).data!.game).toBeNull();
    expect((await queryGame(svc, game.id, await svc.tokens.player())).data!.game).toBeNull();
    expect((await queryGame(svc, game.id, await svc.tokens.staff(["support"]))).data!.game).toBeNull();
    expect((await queryGame(svc, game.id, admin)).data!.game).toMatchObject({ id: game.id, enabled: false });
  });

  it("covers every game of a disabled provider too", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id);
    await upsertProvider(svc, { code: provider.code, enabled: false }, admin);

    expect((await queryGame(svc, game.id)).data!.game).toBeNull();
    expect((await queryLobby(svc, { filter: { providerId: provider.id } })).data!.games.edges).toEqual([]);
    const backoffice = await queryLobby(svc, { filter: { providerId: provider.id, includeDisabled: true } }, admin);
    expect(backoffice.data!.games.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ id: game.id, enabled: true, provider: expect.objectContaining({ enabled: false }) }),
    ]);
  });

  it("still resolves as an entity reference, for records of other services made while it was enabled", async () => {
    const provider = await createProvider();
    const game = await createGame(provider.id);
    await setGameEnabled(svc, game.id, false, admin);
    const res = await svc.graphql<{ _entities: Array<{ id: string; name: string; enabled: boolean; provider: { code: string } }> }>(
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Game { id name enabled provider { code } } } }`,
      { representations: [{ __typename: "Game", id: game.id }] },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([{ id: game.id, name: game.name, enabled: false, provider: { code: provider.code } }]);
  });
});

describe("authorization of catalogue management", () => {
  it.each([
    ["support staff", "FORBIDDEN", () => svc.tokens.staff(["support"])],
    ["finance and compliance staff", "FORBIDDEN", () => svc.tokens.staff(["finance", "compliance"])],
    ["a player", "FORBIDDEN", () => svc.tokens.player()],
    ["an anonymous caller", "UNAUTHENTICATED", async () => undefined],
  ])("refuses %s with %s and writes nothing", async (_who, code, token) => {
    const provider = await createProvider();
    const game = await createGame(provider.id);
    const caller = await token();
    const outboxBefore = await svc.runtime.prisma.outboxEvent.count();

    const providerCode = uniqueCode("denied");
    expect((await upsertProvider(svc, { code: providerCode }, caller)).errors?.[0]?.extensions?.code).toBe(code);
    expect((await upsertGame(svc, gameInput(provider.id, { code: "denied-game" }), caller)).errors?.[0]?.extensions?.code).toBe(code);
    expect((await setGameEnabled(svc, game.id, false, caller)).errors?.[0]?.extensions?.code).toBe(code);
    expect((await queryLobby(svc, { filter: { includeDisabled: true } }, caller)).errors?.[0]?.extensions?.code).toBe(code);

    expect(await svc.runtime.prisma.provider.count({ where: { code: providerCode } })).toBe(0);
    expect(await svc.runtime.prisma.game.count({ where: { providerId: provider.id } })).toBe(1);
    expect((await svc.runtime.prisma.game.findUniqueOrThrow({ where: { id: game.id } })).enabled).toBe(true);
    expect(await svc.runtime.prisma.outboxEvent.count()).toBe(outboxBefore);
  });
});

describe("database guarantees", () => {
  it("refuses an RTP outside 0..10000 and stake limits that are not positive or out of order, whatever the code does", async () => {
    const provider = await createProvider();
    const row = {
      providerId: provider.id,
      name: "Direct Insert",
      type: "SLOT" as const,
      rtpBasisPoints: 9600,
      volatility: "LOW" as const,
      minStakeMinor: 10n,
      maxStakeMinor: 100n,
      stakeCurrency: "GBP",
      jurisdictions: ["GB"],
      categories: [],
    };
    const insert = (overrides: Record<string, unknown>) =>
      svc.runtime.prisma.game.create({ data: { ...row, id: randomUUID(), code: uniqueCode("direct"), ...overrides } });
    await expect(insert({ rtpBasisPoints: 10001 })).rejects.toThrow(/game_rtp_basis_points_range/);
    await expect(insert({ minStakeMinor: 0n })).rejects.toThrow(/game_stake_limits/);
    await expect(insert({ maxStakeMinor: 9n })).rejects.toThrow(/game_stake_limits/);
    await expect(insert({ code: "Not A Slug" })).rejects.toThrow(/game_code_format/);
    await expect(insert({})).resolves.toMatchObject({ providerId: provider.id });
  });
});
