import { badInput } from "@casino/kernel/errors";
import type { Rng } from "../../rng/rng.ts";
import { Rational } from "../rational.ts";

/**
 * European roulette: one zero, 37 pockets, no la partage or en prison (a zero loses every outside
 * bet), so every bet returns 36/37 = 97.30 % of its stake.
 *
 * The standard layout: 0 at the top, then rows ("streets") of three, 1-2-3 to 34-35-36; columns are
 * the three vertical lines (1, 4, 7, ... is column 1). Inside bets name their numbers; which sets of
 * numbers are valid splits, streets, corners and six lines is decided by the layout below.
 */

export const POCKETS = 37;
export const GAME_ID = "european-roulette";
export const VERSION = "1.0.0";

export const RED_NUMBERS: ReadonlySet<number> = new Set([1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36]);

export type InsideBetKind = "straight" | "split" | "street" | "corner" | "sixLine";
export type OutsideBetKind = "column" | "dozen" | "red" | "black" | "odd" | "even" | "low" | "high";
export type BetKind = InsideBetKind | OutsideBetKind;

export type RouletteBet =
  | { kind: InsideBetKind; numbers: readonly number[]; stakeMinor: bigint }
  | { kind: "column" | "dozen"; index: 1 | 2 | 3; stakeMinor: bigint }
  | { kind: "red" | "black" | "odd" | "even" | "low" | "high"; stakeMinor: bigint };

/** Pays "to one", by bet kind. */
export const PAYOUTS: Readonly<Record<BetKind, bigint>> = {
  straight: 35n,
  split: 17n,
  street: 11n,
  corner: 8n,
  sixLine: 5n,
  column: 2n,
  dozen: 2n,
  red: 1n,
  black: 1n,
  odd: 1n,
  even: 1n,
  low: 1n,
  high: 1n,
};

const key = (numbers: readonly number[]) => [...numbers].sort((a, b) => a - b).join("-");
const row = (r: number) => [3 * r - 2, 3 * r - 1, 3 * r];
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Every valid number set per inside bet kind on the standard single-zero layout. */
function insideBetTable(): Record<InsideBetKind, number[][]> {
  const splits: number[][] = [[0, 1], [0, 2], [0, 3]];
  for (let n = 1; n <= 36; n++) {
    if (n % 3 !== 0) splits.push([n, n + 1]); // side by side in a row
    if (n <= 33) splits.push([n, n + 3]); // one above the other
  }
  const corners: number[][] = [[0, 1, 2, 3]]; // "first four"
  for (let n = 1; n <= 32; n++) if (n % 3 !== 0) corners.push([n, n + 1, n + 3, n + 4]);
  return {
    straight: range(0, 36).map((n) => [n]),
    split: splits,
    // The twelve rows, and the two trios that share the zero (0-1-2, 0-2-3), which pay as streets.
    street: [...range(1, 12).map(row), [0, 1, 2], [0, 2, 3]],
    corner: corners,
    sixLine: range(1, 11).map((r) => [...row(r), ...row(r + 1)]),
  };
}

export const INSIDE_BETS: Readonly<Record<InsideBetKind, readonly (readonly number[])[]>> = insideBetTable();
const VALID_INSIDE: Record<InsideBetKind, Set<string>> = Object.fromEntries(
  Object.entries(INSIDE_BETS).map(([kind, sets]) => [kind, new Set(sets.map(key))]),
) as Record<InsideBetKind, Set<string>>;
const INSIDE_SIZE: Record<InsideBetKind, number> = { straight: 1, split: 2, street: 3, corner: 4, sixLine: 6 };

/** True when `numbers` form a valid bet of `kind` on the layout (in any order). */
export function isValidInsideBet(kind: InsideBetKind, numbers: readonly number[]): boolean {
  return numbers.length === INSIDE_SIZE[kind] && VALID_INSIDE[kind].has(key(numbers));
}

/** The numbers a bet wins on; throws a BAD_USER_INPUT error for a bet the layout does not have. */
export function coveredNumbers(bet: RouletteBet): readonly number[] {
  switch (bet.kind) {
    case "straight":
    case "split":
    case "street":
    case "corner":
    case "sixLine":
      if (!isValidInsideBet(bet.kind, bet.numbers)) throw badInput(`${JSON.stringify(bet.numbers)} is not a ${bet.kind} on the layout`, "numbers");
      return [...bet.numbers].sort((a, b) => a - b);
    case "column":
    case "dozen":
      if (![1, 2, 3].includes(bet.index)) throw badInput(`${bet.kind} must be 1, 2 or 3`, "index");
      return bet.kind === "column" ? range(1, 36).filter((n) => (n - bet.index) % 3 === 0) : range(12 * bet.index - 11, 12 * bet.index);
    case "red":
      return range(1, 36).filter((n) => RED_NUMBERS.has(n));
    case "black":
      return range(1, 36).filter((n) => !RED_NUMBERS.has(n));
    case "odd":
      return range(1, 36).filter((n) => n % 2 === 1);
    case "even":
      return range(1, 36).filter((n) => n % 2 === 0);
    case "low":
      return range(1, 18);
    case "high":
      return range(19, 36);
    default: {
      const unknown: never = bet;
      throw badInput(`unknown bet kind ${(unknown as { kind: string }).kind}`, "kind");
    }
  }
}

export interface BetSettlement {
  bet: RouletteBet;
  won: boolean;
  /** What the player gets back in minor units: stake plus winnings on a win, 0 on a loss. */
  returnMinor: bigint;
}

export interface SpinSettlement {
  gameId: string;
  version: string;
  winningNumber: number;
  bets: BetSettlement[];
  totalStakeMinor: bigint;
  totalReturnMinor: bigint;
}

/** Settles bets against the winning number: a pure function, money in integer minor units. */
export function settleRouletteBets(bets: readonly RouletteBet[], winningNumber: number): SpinSettlement {
  if (!Number.isInteger(winningNumber) || winningNumber < 0 || winningNumber >= POCKETS) throw new RangeError(`no pocket ${winningNumber}`);
  const settled = bets.map((bet) => {
    if (bet.stakeMinor <= 0n) throw badInput("a stake must be positive", "stakeMinor");
    const won = coveredNumbers(bet).includes(winningNumber);
    return { bet, won, returnMinor: won ? bet.stakeMinor * (PAYOUTS[bet.kind] + 1n) : 0n };
  });
  return {
    gameId: GAME_ID,
    version: VERSION,
    winningNumber,
    bets: settled,
    totalStakeMinor: bets.reduce((sum, bet) => sum + bet.stakeMinor, 0n),
    totalReturnMinor: settled.reduce((sum, s) => sum + s.returnMinor, 0n),
  };
}

/** Draws the winning pocket uniformly. */
export function spinWheel(rng: Rng): number {
  return rng.int(POCKETS);
}

/** A bet's exact RTP: its settlement on each of the 37 equally likely pockets, averaged. */
export function betRtp(bet: RouletteBet): Rational {
  let returned = 0n;
  for (let pocket = 0; pocket < POCKETS; pocket++) returned += settleRouletteBets([bet], pocket).totalReturnMinor;
  return new Rational(returned, bet.stakeMinor * BigInt(POCKETS));
}

/** Every bet the layout offers, one unit stake each. */
export function allBets(stakeMinor = 1n): RouletteBet[] {
  const inside = (Object.keys(INSIDE_BETS) as InsideBetKind[]).flatMap((kind) => INSIDE_BETS[kind].map((numbers) => ({ kind, numbers, stakeMinor })));
  const indexed = (["column", "dozen"] as const).flatMap((kind) => ([1, 2, 3] as const).map((index) => ({ kind, index, stakeMinor })));
  const evenMoney = (["red", "black", "odd", "even", "low", "high"] as const).map((kind) => ({ kind, stakeMinor }));
  return [...inside, ...indexed, ...evenMoney];
}

/** The exact RTP of each bet kind, from every bet of that kind on the table (all 36/37). */
export function theoreticalRtpByBetKind(): Record<BetKind, Rational> {
  const byKind = new Map<BetKind, Rational[]>();
  for (const bet of allBets()) byKind.set(bet.kind, [...(byKind.get(bet.kind) ?? []), betRtp(bet)]);
  return Object.fromEntries(
    [...byKind].map(([kind, rtps]) => {
      const distinct = new Set(rtps.map(String));
      if (distinct.size !== 1) throw new Error(`${kind} bets differ in RTP: ${[...distinct].join(", ")}`);
      return [kind, rtps[0]!];
    }),
  ) as Record<BetKind, Rational>;
}
