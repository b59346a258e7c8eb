import { ScriptedRng } from "../../src/rng/scripted.ts";
import { Rational } from "../../src/proprietary/rational.ts";
import {
  allBets,
  betRtp,
  coveredNumbers,
  INSIDE_BETS,
  isValidInsideBet,
  RED_NUMBERS,
  settleRouletteBets,
  spinWheel,
  theoreticalRtpByBetKind,
  type RouletteBet,
} from "../../src/proprietary/roulette/european-roulette.ts";

const badInput = expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) });

describe("the single-zero layout", () => {
  it("has 37 straights, 60 splits, 14 streets (with the two zero trios), 23 corners (with first four), 11 six lines", () => {
    expect(Object.fromEntries(Object.entries(INSIDE_BETS).map(([kind, sets]) => [kind, sets.length]))).toEqual({
      straight: 37,
      split: 60,
      street: 14,
      corner: 23,
      sixLine: 11,
    });
  });

  it.each([
    ["split", [1, 2]],
    ["split", [2, 5]],
    ["split", [0, 3]],
    ["split", [36, 33]],
    ["street", [34, 35, 36]],
    ["street", [0, 2, 3]],
    ["corner", [1, 2, 4, 5]],
    ["corner", [32, 33, 35, 36]],
    ["corner", [0, 1, 2, 3]],
    ["sixLine", [31, 32, 33, 34, 35, 36]],
  ] as const)("accepts the %s %j", (kind, numbers) => {
    expect(isValidInsideBet(kind, numbers)).toBe(true);
  });

  it.each([
    ["split", [3, 4]], // ends of two rows, not adjacent
    ["split", [1, 5]],
    ["split", [0, 4]],
    ["split", [1, 1]],
    ["street", [2, 3, 4]],
    ["street", [0, 1, 3]],
    ["corner", [3, 4, 6, 7]],
    ["corner", [1, 2, 3, 4]],
    ["sixLine", [2, 3, 4, 5, 6, 7]],
    ["straight", [37]],
    ["straight", [1, 2]],
  ] as const)("refuses the %s %j", (kind, numbers) => {
    expect(isValidInsideBet(kind, numbers)).toBe(false);
    expect(() => coveredNumbers({ kind, numbers, stakeMinor: 100n })).toThrow(badInput);
  });

  it("has 18 red and 18 black numbers, zero being neither", () => {
    expect(RED_NUMBERS.size).toBe(18);
    expect(coveredNumbers({ kind: "black", stakeMinor: 1n })).toHaveLength(18);
    expect(coveredNumbers({ kind: "black", stakeMinor: 1n })).not.toContain(0);
    expect(coveredNumbers({ kind: "column", index: 2, stakeMinor: 1n })).toEqual([2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 32, 35]);
    expect(coveredNumbers({ kind: "dozen", index: 3, stakeMinor: 1n })).toEqual([25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36]);
  });
});

describe("settlement", () => {
  it.each<[RouletteBet, number, number, bigint]>([
    [{ kind: "straight", numbers: [17], stakeMinor: 100n }, 17, 16, 3_600n],
    [{ kind: "split", numbers: [17, 20], stakeMinor: 100n }, 20, 19, 1_800n],
    [{ kind: "street", numbers: [16, 17, 18], stakeMinor: 100n }, 16, 19, 1_200n],
    [{ kind: "corner", numbers: [17, 18, 20, 21], stakeMinor: 100n }, 21, 22, 900n],
    [{ kind: "sixLine", numbers: [13, 14, 15, 16, 17, 18], stakeMinor: 100n }, 13, 19, 600n],
    [{ kind: "column", index: 1, stakeMinor: 100n }, 34, 35, 300n],
    [{ kind: "dozen", index: 2, stakeMinor: 100n }, 24, 25, 300n],
    [{ kind: "red", stakeMinor: 100n }, 1, 2, 200n],
    [{ kind: "black", stakeMinor: 100n }, 2, 1, 200n],
    [{ kind: "odd", stakeMinor: 100n }, 35, 36, 200n],
    [{ kind: "even", stakeMinor: 100n }, 36, 35, 200n],
    [{ kind: "low", stakeMinor: 100n }, 18, 19, 200n],
    [{ kind: "high", stakeMinor: 100n }, 19, 18, 200n],
  ])("settles %j: wins on %i, loses on %i, returns %p on a win", (bet, winning, losing, returned) => {
    expect(settleRouletteBets([bet], winning).bets[0]).toEqual({ bet, won: true, returnMinor: returned });
    expect(settleRouletteBets([bet], losing).bets[0]).toEqual({ bet, won: false, returnMinor: 0n });
  });

  it("loses every outside bet on zero (no la partage)", () => {
    const outside = allBets(100n).filter((bet) => !("numbers" in bet));
    const settled = settleRouletteBets(outside, 0);
    expect(settled.bets.every((b) => !b.won)).toBe(true);
    expect(settled).toMatchObject({ totalStakeMinor: 1_200n, totalReturnMinor: 0n });
  });

  it("totals stakes and returns of several bets", () => {
    const settled = settleRouletteBets(
      [
        { kind: "straight", numbers: [0], stakeMinor: 50n },
        { kind: "corner", numbers: [0, 1, 2, 3], stakeMinor: 200n },
        { kind: "red", stakeMinor: 1_000n },
      ],
      0,
    );
    expect(settled).toMatchObject({ gameId: "european-roulette", version: "1.0.0", winningNumber: 0, totalStakeMinor: 1_250n, totalReturnMinor: 1_800n + 1_800n });
  });

  it("refuses a non-positive stake, an unknown index and a pocket off the wheel", () => {
    expect(() => settleRouletteBets([{ kind: "red", stakeMinor: 0n }], 1)).toThrow(badInput);
    expect(() => settleRouletteBets([{ kind: "dozen", index: 4 as 1, stakeMinor: 1n }], 1)).toThrow(badInput);
    expect(() => settleRouletteBets([{ kind: "bogus" as "red", stakeMinor: 1n }], 1)).toThrow(badInput);
    expect(() => settleRouletteBets([], 37)).toThrow(RangeError);
  });

  it("draws the winning pocket from the RNG over 37 pockets", () => {
    expect(spinWheel(new ScriptedRng([36]))).toBe(36);
    expect(() => spinWheel(new ScriptedRng([37]))).toThrow(/outside \[0, 37\)/);
  });
});

describe("theoretical RTP", () => {
  const rtp = new Rational(36n, 37n);

  it.each(Object.entries(theoreticalRtpByBetKind()))("is exactly 36/37 = 97.30 %% for every %s bet on the table", (_, kindRtp) => {
    expect(kindRtp).toEqual(rtp);
    expect(kindRtp.mul(100n).toDecimal(2)).toBe("97.30");
  });

  it("covers all thirteen bet kinds and every bet on the table", () => {
    expect(Object.keys(theoreticalRtpByBetKind()).sort()).toEqual(
      ["black", "column", "corner", "dozen", "even", "high", "low", "odd", "red", "sixLine", "split", "straight", "street"],
    );
    expect(allBets().every((bet) => betRtp(bet).equals(rtp))).toBe(true);
  });
});
