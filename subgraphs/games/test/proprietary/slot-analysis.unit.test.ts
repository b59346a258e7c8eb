import { CryptoRng } from "../../src/rng/rng.ts";
import { Rational } from "../../src/proprietary/rational.ts";
import { enumerateBaseSpin, slotMathematics } from "../../src/proprietary/slot/analysis.ts";
import { compileSlot, scatterCount, spinWin } from "../../src/proprietary/slot/engine.ts";
import { fiveCrowns, fiveCrownsMathematics, simulate, theoreticalRtp } from "../../src/proprietary/slot/index.ts";
import { rtpHalfWidth } from "../../src/proprietary/slot/simulation.ts";
import { twoSidedNormalQuantile } from "../../src/rng/statistics.ts";
import { coinFlipSlot, smallFiveReelSlot } from "./slot-tiny-games.ts";

const r = (numerator: bigint, denominator = 1n) => new Rational(numerator, denominator);

describe("exact slot mathematics", () => {
  it("solves a hand-checkable game: retriggered free spins as a geometric series", () => {
    // B = 5 or 2 (with a trigger), each w.p. 1/8. A feature T = 2 (N - 1) + L, N - 1 geometric with
    // q = 1/8 and L = 5 w.p. 1/7: E[T] = 1, E[T^2] = 33/7; E[X] = 7/8 + 1/8 = 1,
    // E[X^2] = 29/8 + 2 * 2/8 * 1 + 1/8 * 33/7 = 33/7.
    const math = slotMathematics(compileSlot(coinFlipSlot()));
    expect(math.combinations).toBe(8n);
    expect(math.rtp).toEqual(r(1n));
    expect(math.baseRtp).toEqual(r(7n, 8n));
    expect(math.featureFrequency).toEqual(r(1n, 8n));
    expect(math.expectedFreeSpins).toEqual(r(8n, 7n));
    expect(math.meanSquareWin).toEqual(r(33n, 7n));
    expect(math.variance).toEqual(r(26n, 7n));
    expect(math.hitFrequency).toEqual(r(1n, 4n));
  });

  it("drops the retrigger terms when free spins cannot retrigger", () => {
    // F is one free spin: E[F] = 7/8, E[F^2] = 29/8; E[X] = 7/8 + 7/64, E[X^2] = 29/8 + 2 * 2/8 * 7/8 + 29/64.
    const math = slotMathematics(compileSlot(coinFlipSlot({ freeSpins: { triggerCount: 3, awarded: 1, retrigger: false, winMultiplier: 1 } })));
    expect(math.retriggerProbability).toEqual(r(0n));
    expect(math.expectedFreeSpins).toEqual(r(1n));
    expect(math.rtp).toEqual(r(63n, 64n));
    expect(math.meanSquareWin).toEqual(r(29n, 8n).add(r(7n, 16n)).add(r(29n, 64n)));
  });

  it("refuses a game whose retriggers never end on average", () => {
    const game = compileSlot(coinFlipSlot({ freeSpins: { triggerCount: 3, awarded: 8, retrigger: true, winMultiplier: 1 } }));
    expect(() => slotMathematics(game)).toThrow(/never end/);
  });

  it("enumerates the same distribution as brute force over every stop combination", () => {
    const game = compileSlot(smallFiveReelSlot());
    const brute = new Map<string, number>();
    const stops = [0, 0, 0, 0, 0];
    const visit = (reel: number): void => {
      if (reel === game.reelCount) {
        const key = `${spinWin(game, stops)}|${scatterCount(game, stops)}`;
        brute.set(key, (brute.get(key) ?? 0) + 1);
        return;
      }
      for (let stop = 0; stop < game.lengths[reel]!; stop++) {
        stops[reel] = stop;
        visit(reel + 1);
      }
    };
    visit(0);

    const enumerated = new Map<string, number>();
    for (const [win, byScatters] of enumerateBaseSpin(game).outcomes) {
      for (const [scatters, count] of byScatters) enumerated.set(`${win}|${scatters}`, count);
    }
    expect(brute.size).toBeGreaterThan(20);
    expect(enumerated).toEqual(brute);
    expect(enumerateBaseSpin(game).combinations).toBe(6n * 7n * 6n * 7n * 6n);
  });
});

describe("Five Crowns: exact figures", () => {
  it("has an exact RTP of 1508809826657 / 1570627262592 = 96.0642 %", () => {
    const rtp = theoreticalRtp();
    expect(rtp.numerator).toBe(1_508_809_826_657n);
    expect(rtp.denominator).toBe(1_570_627_262_592n);
    expect(rtp.percent).toBe("96.0642");
    expect(rtp.decimal).toBeGreaterThanOrEqual(0.94);
    expect(rtp.decimal).toBeLessThanOrEqual(0.97);
  });

  it("splits into base game and free spins, with retriggers as a geometric series", () => {
    const math = fiveCrownsMathematics();
    expect(math.combinations).toBe(32n * 34n * 36n * 36n * 38n);
    expect(math.baseRtp.add(math.featureRtp)).toEqual(math.rtp);
    expect(math.featureFrequency).toEqual(r(5425n, 992_256n));
    expect(math.retriggerProbability).toEqual(math.featureFrequency);
    expect(math.expectedFreeSpins).toEqual(r(10n).div(r(1n).sub(math.retriggerProbability.mul(10n))));
    expect(math.hitFrequency).toEqual(r(4_969_631n, 17_860_608n));
    expect(math.standardDeviation).toBeCloseTo(4.1866, 4);
  });
});

describe("Five Crowns: simulation against the exact RTP", () => {
  // Bounds at 1 - 1e-6: each assertion below fails by chance with probability 1e-6 under a correct game
  // (CI runs the suite twice; a by-chance red run must be practically impossible).
  const CONFIDENCE = 0.999999;
  const SPINS = 200_000;

  it("simulates an RTP and hit frequency within their 1 - 1e-6 bounds over 200,000 paid spins", () => {
    const math = fiveCrownsMathematics();
    const result = simulate(SPINS, new CryptoRng(), CONFIDENCE);

    const halfWidth = rtpHalfWidth(math.standardDeviation, SPINS, CONFIDENCE);
    expect(result.bound.halfWidth).toBeCloseTo(halfWidth, 12);
    expect(Math.abs(result.rtp - theoreticalRtp().decimal)).toBeLessThanOrEqual(halfWidth);
    expect(result.withinBound).toBe(true);

    const hit = math.hitFrequency.toNumber();
    const hitHalfWidth = twoSidedNormalQuantile(1 - CONFIDENCE) * Math.sqrt((hit * (1 - hit)) / SPINS);
    expect(Math.abs(result.hitFrequency - hit)).toBeLessThanOrEqual(hitHalfWidth);
    expect(result.totalBetUnits).toBe(SPINS * fiveCrowns.lineCount);
  });

  it("refuses a non-positive spin count", () => {
    expect(() => simulate(0)).toThrow(RangeError);
  });
});
