import { RecordingRng } from "../../src/rng/recording-rng.ts";
import { ScriptedRawSource, ScriptedRng } from "../../src/rng/scripted.ts";
import { SlotDefinitionError, slotVersion, validateSlotDefinition } from "../../src/proprietary/slot/definition.ts";
import { compileSlot, evaluateSpin, playPaidSpin, totalStakeMinor, winMinor } from "../../src/proprietary/slot/engine.ts";
import { FIVE_CROWNS, fiveCrowns } from "../../src/proprietary/slot/index.ts";
import { coinFlipSlot, smallFiveReelSlot } from "./slot-tiny-games.ts";

const MIDDLE = 1;

/** The first stop of `reel` that shows `symbol` on `row`. */
function stopShowing(reel: number, symbol: string, row: number): number {
  const strip = FIVE_CROWNS.reels[reel]!;
  const stop = strip.findIndex((_, s) => strip[(s + row) % strip.length] === symbol);
  if (stop === -1) throw new Error(`reel ${reel + 1} has no ${symbol}`);
  return stop;
}

/** A stop of `reel` whose window shows none of `symbols`. */
function stopAvoiding(reel: number, symbols: string[]): number {
  const strip = FIVE_CROWNS.reels[reel]!;
  const stop = strip.findIndex((_, s) => [0, 1, 2].every((row) => !symbols.includes(strip[(s + row) % strip.length]!)));
  if (stop === -1) throw new Error(`reel ${reel + 1} always shows one of ${symbols.join()}`);
  return stop;
}

describe("Five Crowns: the data", () => {
  it("has five reels of 30-40 stops, ten lines, one wild and one scatter", () => {
    expect(FIVE_CROWNS.reels.map((strip) => strip.length)).toEqual([32, 34, 36, 36, 38]);
    expect(FIVE_CROWNS.paylines).toHaveLength(10);
    expect(() => validateSlotDefinition(FIVE_CROWNS)).not.toThrow();
  });

  it("is versioned by id, version and a hash of its outcome-deciding data", () => {
    expect(fiveCrowns.version).toEqual({
      gameId: "five-crowns",
      version: "1.0.0",
      // Pinned: changing the data must come with a new version (and this hash).
      paytableHash: "716383ac7ef51d1b511852d38152667c752ae1f033086269480d1031e4a5f318",
    });
    const changedPay = { ...FIVE_CROWNS, linePays: { ...FIVE_CROWNS.linePays, ten: [0, 0, 0, 5, 15, 60] } };
    expect(slotVersion(changedPay).paytableHash).not.toBe(fiveCrowns.version.paytableHash);
    // Only the version label changes: same data, same hash.
    expect(slotVersion({ ...FIVE_CROWNS, version: "1.0.1" }).paytableHash).toBe(fiveCrowns.version.paytableHash);
  });

  it.each([
    ["two scatters in one window", { reels: [["scatter", "a", "scatter", "b"], ...smallFiveReelSlot().reels.slice(1)] }, /two scatters/],
    ["an unknown symbol", { reels: [["a", "b", "c"], ...smallFiveReelSlot().reels.slice(1)] }, /unknown symbol c/],
    ["a payline off the window", { paylines: [[0, 1, 2, 3, 0]] }, /payline 1/],
    ["duplicate paylines", { paylines: [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]] }, /duplicate paylines/],
    ["missing line pays", { linePays: { wild: [0, 0, 0, 1, 2, 3], a: [0, 0, 0, 1, 2, 3] } }, /symbol b/],
    ["decreasing line pays", { linePays: { wild: [0, 0, 0, 1, 2, 3], a: [0, 0, 0, 5, 2, 3], b: [0, 0, 0, 1, 2, 3] } }, /non-decreasing/],
    ["a trigger beyond the reels", { freeSpins: { triggerCount: 6, awarded: 10, retrigger: true, winMultiplier: 1 } }, /trigger count/],
  ])("refuses %s", (_, overrides, message) => {
    expect(() => compileSlot(smallFiveReelSlot(overrides))).toThrow(SlotDefinitionError);
    expect(() => compileSlot(smallFiveReelSlot(overrides))).toThrow(message);
  });
});

describe("Five Crowns: evaluating a spin", () => {
  it("pays five crowns on the middle line at 1000 line bets", () => {
    const stops = [0, 1, 2, 3, 4].map((reel) => stopShowing(reel, "crown", MIDDLE));
    const outcome = evaluateSpin(fiveCrowns, stops);
    expect(outcome.window.map((reel) => reel[MIDDLE])).toEqual(["crown", "crown", "crown", "crown", "crown"]);
    expect(outcome.lineWins).toContainEqual({ payline: 1, symbol: "crown", count: 5, pay: 1000 });
    expect(outcome.win).toBe(outcome.lineWins.reduce((sum, w) => sum + w.pay, outcome.scatterWin));
  });

  it("lets the wild substitute, left to right only", () => {
    const stops = [stopShowing(0, "crown", MIDDLE), stopShowing(1, "wild", MIDDLE), stopShowing(2, "crown", MIDDLE), 0, 0];
    stops[3] = FIVE_CROWNS.reels[3]!.findIndex((_, s) => !["crown", "wild"].includes(FIVE_CROWNS.reels[3]![(s + MIDDLE) % 36]!));
    const outcome = evaluateSpin(fiveCrowns, stops);
    expect(outcome.lineWins).toContainEqual({ payline: 1, symbol: "crown", count: 3, pay: 50 });
  });

  it("pays leading wilds as wilds when that pays more, and stops a line at a scatter", () => {
    const game = compileSlot(smallFiveReelSlot());
    // Middle row: wild, wild, wild, a, scatter -> wild x3 (30) beats a x4 (20).
    const outcome = evaluateSpin(game, [0, 1, 5, 2, 0]);
    expect(outcome.window.map((reel) => reel[MIDDLE])).toEqual(["wild", "wild", "wild", "a", "scatter"]);
    expect(outcome.lineWins).toContainEqual({ payline: 1, symbol: "wild", count: 3, pay: 30 });
  });

  it("pays scatters anywhere in total bets and awards ten free spins for three", () => {
    const stops = [stopShowing(0, "scatter", 0), stopShowing(1, "scatter", 2), stopShowing(2, "scatter", 1), stopAvoiding(3, ["scatter"]), stopAvoiding(4, ["scatter"])];
    const base = evaluateSpin(fiveCrowns, stops);
    expect(base).toMatchObject({ scatterCount: 3, scatterWin: 2 * 10, freeSpinsAwarded: 10 });

    const free = evaluateSpin(fiveCrowns, stops, "free");
    expect(free).toMatchObject({ scatterCount: 3, scatterWin: 3 * 2 * 10, freeSpinsAwarded: 10, win: 3 * base.win });
  });

  it("does not award free spins during free spins when retriggering is off", () => {
    const game = compileSlot(coinFlipSlot({ freeSpins: { triggerCount: 3, awarded: 1, retrigger: false, winMultiplier: 1 } }));
    expect(evaluateSpin(game, [0, 0, 0], "base").freeSpinsAwarded).toBe(1);
    expect(evaluateSpin(game, [0, 0, 0], "free")).toMatchObject({ freeSpinsAwarded: 0, scatterWin: 2 });
  });

  it.each([[[0, 0, 0, 0]], [[0, 0, 0, 0, 38]], [[0, 0, -1, 0, 0]], [[0, 0, 0.5, 0, 0]]])("refuses stops %j", (stops) => {
    expect(() => evaluateSpin(fiveCrowns, stops)).toThrow(RangeError);
  });
});

describe("Five Crowns: playing a paid spin", () => {
  const trigger = [stopShowing(0, "scatter", 0), stopShowing(1, "scatter", 0), stopShowing(2, "scatter", 0), stopAvoiding(3, ["scatter"]), stopAvoiding(4, ["scatter"])];
  const blank = [0, 1, 2, 3, 4].map((reel) => stopAvoiding(reel, ["scatter"]));

  it("plays the ten free spins a trigger awards, tripled", () => {
    const rng = new ScriptedRng([...trigger, ...Array.from({ length: 10 }, () => blank).flat()]);
    const result = playPaidSpin(fiveCrowns, rng);
    expect(result.base.freeSpinsAwarded).toBe(10);
    expect(result.freeSpins).toHaveLength(10);
    expect(result.freeSpins.every((spin) => spin.mode === "free" && spin.win === 3 * evaluateSpin(fiveCrowns, blank).win)).toBe(true);
    expect(result.totalWin).toBe(result.base.win + 10 * 3 * evaluateSpin(fiveCrowns, blank).win);
    expect(rng.consumed).toBe(55);
    expect(result.version).toBe(fiveCrowns.version);
  });

  it("adds ten more free spins on a retrigger", () => {
    const freeSpinStops = [trigger, ...Array.from({ length: 19 }, () => blank)].flat();
    const result = playPaidSpin(fiveCrowns, new ScriptedRng([...trigger, ...freeSpinStops]));
    expect(result.freeSpins).toHaveLength(20);
    expect(result.freeSpins[0]!.freeSpinsAwarded).toBe(10);
  });

  it("records every stop drawn, with the reel length as its range, for audit", () => {
    const rng = new RecordingRng(new ScriptedRawSource(blank));
    const result = playPaidSpin(fiveCrowns, rng);
    expect(result.freeSpins).toEqual([]);
    expect(rng.draws.map((d) => [d.range, d.value])).toEqual(blank.map((stop, reel) => [FIVE_CROWNS.reels[reel]!.length, stop]));
  });

  it("turns line-bet units into integer minor units", () => {
    expect(totalStakeMinor(fiveCrowns, 20n)).toBe(200n);
    expect(winMinor(1000, 20n)).toBe(20_000n);
    expect(winMinor(0, 20n)).toBe(0n);
    expect(() => winMinor(1.5, 20n)).toThrow(RangeError);
    expect(() => totalStakeMinor(fiveCrowns, 0n)).toThrow(RangeError);
  });
});
