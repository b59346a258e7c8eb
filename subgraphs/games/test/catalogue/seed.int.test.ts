import { startTestService } from "@casino/kernel/testing/service-harness";
import { Catalogue } from "../../src/catalogue/catalogue.ts";
import { lobbyCategories } from "../../src/catalogue/lobby.ts";
import { DEMO_CATALOGUE, rtpToBasisPoints, seedDemoCatalogue } from "../../src/catalogue/seed.ts";
import { theoreticalRtp } from "../../src/proprietary/slot/index.ts";
import { gamesService } from "../../src/service.ts";
import { queryLobby } from "../operations/query-lobby.ts";
import type { GamesTestService } from "../operations/types.ts";

let svc: GamesTestService;
let catalogue: Catalogue;

const DEMO_GAMES = DEMO_CATALOGUE.reduce((n, p) => n + p.games.length, 0);

/** Every catalogue row with what an operator could change, for before/after comparisons. */
async function catalogueRows() {
  const [providers, games] = await Promise.all([
    svc.runtime.prisma.provider.findMany({ orderBy: { code: "asc" } }),
    svc.runtime.prisma.game.findMany({ orderBy: [{ providerId: "asc" }, { code: "asc" }] }),
  ]);
  return { providers, games };
}

beforeAll(async () => {
  svc = await startTestService(gamesService);
  catalogue = new Catalogue(svc.runtime.prisma, svc.runtime.publishOutbox);
});
afterAll(async () => {
  await svc.stop();
});

describe("the demo catalogue", () => {
  it("creates every provider and game through the write path, invalidating the lobby cache", async () => {
    // Cached before the seed: empty.
    expect(await catalogue.lobbyCache.remember("categories", () => lobbyCategories(svc.runtime.prisma))).toEqual([]);
    const result = await seedDemoCatalogue(catalogue, svc.runtime.prisma);
    expect(result).toEqual({ providersCreated: DEMO_CATALOGUE.length, gamesCreated: DEMO_GAMES });
    expect(await catalogue.lobbyCache.remember("categories", () => lobbyCategories(svc.runtime.prisma))).toContain("originals");
    expect(await svc.runtime.prisma.outboxEvent.count({ where: { type: "games.catalogue_changed" } })).toBe(DEMO_CATALOGUE.length + DEMO_GAMES);
    const lobby = await queryLobby(svc, { first: 100 });
    expect(lobby.errors).toBeUndefined();
    expect(lobby.data!.games.edges).toHaveLength(DEMO_GAMES);
  });

  it("has our own games with RTPs computed from their mathematics", async () => {
    const originals = await svc.runtime.prisma.provider.findUniqueOrThrow({ where: { code: "casino-originals" }, include: { games: true } });
    expect(originals).toMatchObject({ integration: "PROPRIETARY", protocol: null, enabled: true });
    const byCode = new Map(originals.games.map((g) => [g.code, g]));
    const fiveCrownsRtp = rtpToBasisPoints(theoreticalRtp().rational);
    // 96.0642 % exactly (README, rng:certify).
    expect(fiveCrownsRtp).toBe(9606);
    expect(byCode.get("five-crowns")).toMatchObject({ type: "SLOT", rtpBasisPoints: fiveCrownsRtp, enabled: true });
    expect(byCode.get("european-roulette")).toMatchObject({ type: "ROULETTE", rtpBasisPoints: 9730, enabled: true });
  });

  it("has games of a hub88 aggregator and a softswiss provider", async () => {
    const remote = await svc.runtime.prisma.provider.findMany({ where: { protocol: { in: ["hub88", "softswiss"] } }, include: { games: true } });
    const hub88 = remote.filter((p) => p.protocol === "hub88");
    const softswiss = remote.filter((p) => p.protocol === "softswiss");
    expect(hub88.map((p) => p.integration)).toEqual(["AGGREGATOR"]);
    expect(softswiss).toHaveLength(1);
    expect(["DIRECT", "AGGREGATOR"]).toContain(softswiss[0]!.integration);
    for (const provider of [...hub88, ...softswiss]) expect(provider.games.length).toBeGreaterThanOrEqual(2);
  });

  it("prices every game in GBP with sane stakes, licenses it in GB and puts it in categories", async () => {
    const games = await svc.runtime.prisma.game.findMany();
    expect(games).toHaveLength(DEMO_GAMES);
    for (const game of games) {
      expect(game.stakeCurrency).toBe("GBP");
      expect(game.minStakeMinor).toBeGreaterThan(0n);
      expect(game.maxStakeMinor).toBeGreaterThanOrEqual(game.minStakeMinor);
      expect(game.jurisdictions).toContain("GB");
      expect(game.categories.length).toBeGreaterThan(0);
    }
    // The UKGC's maximum slot stake is £5.
    for (const slot of games.filter((g) => g.type === "SLOT")) expect(slot.maxStakeMinor).toBeLessThanOrEqual(500n);
    expect(new Set(games.map((g) => g.type))).toEqual(new Set(["SLOT", "ROULETTE", "TABLE", "LIVE", "CRASH"]));
  });

  it("changes nothing when run again", async () => {
    const before = await catalogueRows();
    const events = await svc.runtime.prisma.outboxEvent.count();
    expect(await seedDemoCatalogue(catalogue, svc.runtime.prisma)).toEqual({ providersCreated: 0, gamesCreated: 0 });
    expect(await catalogueRows()).toEqual(before);
    expect(await svc.runtime.prisma.outboxEvent.count()).toBe(events);
  });

  it("keeps an operator's changes and only adds what is missing", async () => {
    const fiveCrowns = await svc.runtime.prisma.game.findFirstOrThrow({ where: { code: "five-crowns" } });
    await catalogue.setGameEnabled(fiveCrowns.id, false);
    await catalogue.upsertProvider({ code: "aurora-studios", name: "Aurora (renamed by the operator)", integration: "AGGREGATOR", protocol: "hub88" });
    // A game the operator never had, e.g. one added to the demo catalogue in a later release.
    const rocketRush = await svc.runtime.prisma.game.findFirstOrThrow({ where: { code: "rocket-rush" } });
    await svc.runtime.prisma.game.delete({ where: { id: rocketRush.id } });
    const before = await catalogueRows();

    expect(await seedDemoCatalogue(catalogue, svc.runtime.prisma)).toEqual({ providersCreated: 0, gamesCreated: 1 });
    const after = await catalogueRows();
    expect(after.providers).toEqual(before.providers);
    expect(after.games.filter((g) => g.code !== "rocket-rush")).toEqual(before.games);
    expect(after.games.find((g) => g.code === "five-crowns")!.enabled).toBe(false);
    expect(after.providers.find((p) => p.code === "aurora-studios")!.name).toBe("Aurora (renamed by the operator)");
    expect(after.games.filter((g) => g.code === "rocket-rush")).toHaveLength(1);
  });
});
