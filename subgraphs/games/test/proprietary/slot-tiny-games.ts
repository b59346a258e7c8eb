import type { SlotDefinition } from "../../src/proprietary/slot/definition.ts";

/** Small slots whose figures can be checked by hand or by brute force. */

const symbols = [
  { id: "wild", name: "Wild", kind: "wild" },
  { id: "scatter", name: "Scatter", kind: "scatter" },
  { id: "a", name: "A", kind: "regular" },
  { id: "b", name: "B", kind: "regular" },
] as const;

/**
 * One row, three reels of [scatter, a], one line: a paid spin wins 5 (a a a) or 2 with a trigger
 * (three scatters), each with probability 1/8; one free spin per trigger, retriggerable.
 */
export function coinFlipSlot(overrides: Partial<SlotDefinition> = {}): SlotDefinition {
  return {
    gameId: "coin-flip",
    version: "test",
    rows: 1,
    symbols: [...symbols],
    reels: [
      ["scatter", "a"],
      ["scatter", "a"],
      ["scatter", "a"],
    ],
    paylines: [[0, 0, 0]],
    linePays: { wild: [0, 0, 0, 0], a: [0, 0, 0, 5], b: [0, 0, 0, 0] },
    scatterPays: [0, 0, 0, 2],
    freeSpins: { triggerCount: 3, awarded: 1, retrigger: true, winMultiplier: 1 },
    ...overrides,
  };
}

/** Three rows, five short reels with wilds and scatters, four lines: small enough to brute-force. */
export function smallFiveReelSlot(overrides: Partial<SlotDefinition> = {}): SlotDefinition {
  return {
    gameId: "small-five",
    version: "test",
    rows: 3,
    symbols: [...symbols],
    reels: [
      ["a", "wild", "b", "scatter", "a", "b"],
      ["b", "a", "wild", "a", "scatter", "b", "a"],
      ["wild", "a", "b", "b", "scatter", "a"],
      ["a", "b", "scatter", "a", "wild", "b", "a"],
      ["b", "scatter", "a", "b", "wild", "a"],
    ],
    paylines: [
      [1, 1, 1, 1, 1],
      [0, 0, 0, 0, 0],
      [2, 2, 2, 2, 2],
      [0, 1, 2, 1, 0],
    ],
    linePays: { wild: [0, 0, 0, 30, 100, 500], a: [0, 0, 0, 5, 20, 80], b: [0, 0, 0, 3, 10, 40] },
    scatterPays: [0, 0, 0, 2, 5, 20],
    freeSpins: { triggerCount: 3, awarded: 2, retrigger: true, winMultiplier: 2 },
    ...overrides,
  };
}
