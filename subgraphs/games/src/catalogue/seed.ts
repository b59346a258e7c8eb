import type { Logger } from "@casino/kernel/logger";
import { toGraphQLMoney } from "@casino/kernel/money";
import type { GameInput, ProviderInput } from "../generated/graphql.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Rational } from "../proprietary/rational.ts";
import { theoreticalRtpByBetKind } from "../proprietary/roulette/european-roulette.ts";
import { theoreticalRtp } from "../proprietary/slot/index.ts";
import type { Catalogue } from "./catalogue.ts";

/**
 * The demo catalogue `npm start` seeds: our own games, and studios reached over each RGS protocol the
 * integration layer speaks (hub88 through an aggregator, softswiss direct). Studio and game names are
 * invented. Stakes are GBP minor units; slots stop at £5, the UKGC's maximum slot stake.
 */

type DemoGame = Omit<GameInput, "providerId" | "rtpBasisPoints" | "minStake" | "maxStake"> & {
  /** Exact RTPs of our own games are computed when the game is created, not copied here. */
  rtpBasisPoints: number | (() => number);
  minStakeMinor: bigint;
  maxStakeMinor: bigint;
};

interface DemoProvider {
  provider: ProviderInput;
  games: DemoGame[];
}

const UK_AND_EU = ["GB", "MT", "IE", "SE"];

/** An exact RTP in whole basis points, rounded half up (36/37 = 97.297... % gives 9730). */
export function rtpToBasisPoints(rtp: Rational): number {
  return Number((rtp.numerator * 20_000n + rtp.denominator) / (2n * rtp.denominator));
}

/** European roulette's RTP, which every bet kind shares (the unit tests pin that). */
function rouletteRtp(): Rational {
  const byKind = Object.values(theoreticalRtpByBetKind());
  return byKind[0]!;
}

export const DEMO_CATALOGUE: readonly DemoProvider[] = [
  {
    provider: { code: "casino-originals", name: "Casino Originals", integration: "PROPRIETARY", protocol: null },
    games: [
      {
        code: "five-crowns",
        name: "Five Crowns",
        type: "SLOT",
        rtpBasisPoints: () => rtpToBasisPoints(theoreticalRtp().rational),
        volatility: "MEDIUM",
        // Ten lines: 1p to 50p a line.
        minStakeMinor: 10n,
        maxStakeMinor: 500n,
        jurisdictions: ["GB"],
        categories: ["originals", "slots", "popular"],
      },
      {
        code: "european-roulette",
        name: "European Roulette",
        type: "ROULETTE",
        rtpBasisPoints: () => rtpToBasisPoints(rouletteRtp()),
        volatility: "LOW",
        minStakeMinor: 10n,
        maxStakeMinor: 50_000n,
        jurisdictions: ["GB"],
        categories: ["originals", "roulette", "table"],
      },
    ],
  },
  {
    provider: { code: "aurora-studios", name: "Aurora Studios", integration: "AGGREGATOR", protocol: "hub88" },
    games: [
      {
        code: "aurora-riches",
        name: "Aurora Riches",
        type: "SLOT",
        rtpBasisPoints: 9612,
        volatility: "HIGH",
        minStakeMinor: 20n,
        maxStakeMinor: 500n,
        jurisdictions: UK_AND_EU,
        categories: ["slots", "popular", "new"],
      },
      {
        code: "viking-voyage",
        name: "Viking Voyage",
        type: "SLOT",
        rtpBasisPoints: 9650,
        volatility: "MEDIUM",
        minStakeMinor: 10n,
        maxStakeMinor: 500n,
        jurisdictions: UK_AND_EU,
        categories: ["slots", "adventure"],
      },
      {
        code: "rocket-rush",
        name: "Rocket Rush",
        type: "CRASH",
        rtpBasisPoints: 9700,
        volatility: "HIGH",
        minStakeMinor: 10n,
        maxStakeMinor: 10_000n,
        jurisdictions: ["GB", "MT"],
        categories: ["instant", "new"],
      },
      {
        code: "classic-blackjack",
        name: "Classic Blackjack",
        type: "TABLE",
        rtpBasisPoints: 9941,
        volatility: "LOW",
        minStakeMinor: 100n,
        maxStakeMinor: 100_000n,
        jurisdictions: UK_AND_EU,
        categories: ["table", "blackjack"],
      },
    ],
  },
  {
    provider: { code: "emberline-gaming", name: "Emberline Gaming", integration: "DIRECT", protocol: "softswiss" },
    games: [
      {
        code: "ember-fruits",
        name: "Ember Fruits",
        type: "SLOT",
        rtpBasisPoints: 9601,
        volatility: "LOW",
        minStakeMinor: 10n,
        maxStakeMinor: 500n,
        jurisdictions: ["GB", "SE"],
        categories: ["slots", "classic"],
      },
      {
        code: "dragons-hoard",
        name: "Dragon's Hoard",
        type: "SLOT",
        rtpBasisPoints: 9580,
        volatility: "HIGH",
        minStakeMinor: 20n,
        maxStakeMinor: 500n,
        jurisdictions: ["GB", "MT"],
        categories: ["slots", "jackpot", "popular"],
      },
      {
        code: "live-baccarat",
        name: "Live Baccarat",
        type: "LIVE",
        rtpBasisPoints: 9876,
        volatility: "LOW",
        minStakeMinor: 100n,
        maxStakeMinor: 250_000n,
        jurisdictions: ["GB", "MT", "IE"],
        categories: ["live", "table", "baccarat"],
      },
    ],
  },
];

export interface SeedResult {
  providersCreated: number;
  gamesCreated: number;
}

/**
 * Creates whatever of the demo catalogue is absent, through the catalogue's write path (so each
 * creation writes its event and invalidates the lobby cache). What exists is left as it is, whatever
 * an operator has changed since (a disabled game stays disabled, a renamed one keeps its name), so
 * running it at every start changes nothing after the first.
 */
export async function seedDemoCatalogue(
  catalogue: Catalogue,
  prisma: PrismaClient,
  log?: Logger,
  demo: readonly DemoProvider[] = DEMO_CATALOGUE,
): Promise<SeedResult> {
  const result: SeedResult = { providersCreated: 0, gamesCreated: 0 };
  for (const { provider: providerInput, games } of demo) {
    let provider = await prisma.provider.findUnique({ where: { code: providerInput.code } });
    if (!provider) {
      provider = await catalogue.upsertProvider(providerInput);
      result.providersCreated += 1;
    }
    const existing = new Set(
      (await prisma.game.findMany({ where: { providerId: provider.id, code: { in: games.map((g) => g.code) } }, select: { code: true } })).map(
        (g) => g.code,
      ),
    );
    for (const { rtpBasisPoints, minStakeMinor, maxStakeMinor, ...game } of games) {
      if (existing.has(game.code)) continue;
      await catalogue.upsertGame({
        ...game,
        providerId: provider.id,
        rtpBasisPoints: typeof rtpBasisPoints === "function" ? rtpBasisPoints() : rtpBasisPoints,
        minStake: toGraphQLMoney(minStakeMinor, "GBP"),
        maxStake: toGraphQLMoney(maxStakeMinor, "GBP"),
      });
      result.gamesCreated += 1;
    }
  }
  if (result.providersCreated + result.gamesCreated > 0) log?.info(result, "demo catalogue seeded");
  return result;
}
