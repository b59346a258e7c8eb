import type { Rng } from "../../rng/rng.ts";
import { slotVersion, validateSlotDefinition, type SlotDefinition, type SlotVersion } from "./definition.ts";

/** A slot definition compiled to typed arrays for evaluation, enumeration and simulation. */
export interface CompiledSlot {
  definition: SlotDefinition;
  version: SlotVersion;
  reelCount: number;
  rows: number;
  /** Number of paylines; the total bet is this many line bets. */
  lineCount: number;
  symbolIds: readonly string[];
  wild: number;
  scatter: number;
  /** Symbol index per stop, per reel. */
  strips: readonly Int8Array[];
  lengths: readonly number[];
  paylines: readonly Int8Array[];
  /** Line pay in line-bet units, per symbol index, by count. */
  linePays: readonly Int32Array[];
  /** Scatter pay converted to line-bet units, by scatter count. */
  scatterPays: Int32Array;
}

export function compileSlot(definition: SlotDefinition): CompiledSlot {
  validateSlotDefinition(definition);
  const symbolIds = definition.symbols.map((s) => s.id);
  const indexOf = (id: string) => symbolIds.indexOf(id);
  const lineCount = definition.paylines.length;
  return {
    definition,
    version: slotVersion(definition),
    reelCount: definition.reels.length,
    rows: definition.rows,
    lineCount,
    symbolIds,
    wild: definition.symbols.findIndex((s) => s.kind === "wild"),
    scatter: definition.symbols.findIndex((s) => s.kind === "scatter"),
    strips: definition.reels.map((strip) => Int8Array.from(strip, indexOf)),
    lengths: definition.reels.map((strip) => strip.length),
    paylines: definition.paylines.map((line) => Int8Array.from(line)),
    linePays: definition.symbols.map((s) => Int32Array.from(definition.linePays[s.id] ?? new Array<number>(definition.reels.length + 1).fill(0))),
    scatterPays: Int32Array.from(definition.scatterPays, (pay) => pay * lineCount),
  };
}

/** The symbol index shown on `reel` at `row` for a stop. */
export function symbolAt(game: CompiledSlot, reel: number, stop: number, row: number): number {
  const strip = game.strips[reel]!;
  return strip[(stop + row) % strip.length]!;
}

/** Scratch for linePay's symbol and count, so the hot path allocates nothing. */
const lastLine = new Int32Array(2);

/**
 * A line's pay in line-bet units. The wild substitutes for every symbol but the scatter; a run of
 * leading wilds also pays as wilds, and the line pays the higher of the two (the symbol on a tie).
 */
export function linePay(game: CompiledSlot, stops: ArrayLike<number>, line: Int8Array): number {
  let symbol = -1;
  let count = 0;
  let wildRun = 0;
  for (let reel = 0; reel < game.reelCount; reel++) {
    const s = symbolAt(game, reel, stops[reel]!, line[reel]!);
    if (s === game.wild) {
      count++;
      if (symbol === -1) wildRun++;
      continue;
    }
    if (s === game.scatter || (symbol !== -1 && s !== symbol)) break;
    symbol = s;
    count++;
  }
  const symbolPay = symbol === -1 ? 0 : game.linePays[symbol]![count]!;
  const wildPay = game.linePays[game.wild]![wildRun]!;
  if (symbol !== -1 && symbolPay >= wildPay) {
    lastLine[0] = symbol;
    lastLine[1] = count;
    return symbolPay;
  }
  lastLine[0] = game.wild;
  lastLine[1] = wildRun;
  return wildPay;
}

/** A line's pay with the symbol and count it pays for. */
export function evaluateLine(game: CompiledSlot, stops: ArrayLike<number>, line: Int8Array): { symbol: number; count: number; pay: number } {
  const pay = linePay(game, stops, line);
  return { symbol: lastLine[0]!, count: lastLine[1]!, pay };
}

/** The number of reels showing a scatter (the data allows at most one per reel per window). */
export function scatterCount(game: CompiledSlot, stops: ArrayLike<number>): number {
  let scatters = 0;
  for (let reel = 0; reel < game.reelCount; reel++) {
    for (let row = 0; row < game.rows; row++) {
      if (symbolAt(game, reel, stops[reel]!, row) === game.scatter) scatters++;
    }
  }
  return scatters;
}

/** Line wins plus scatter pay of one spin, in line-bet units, before any free-spin multiplier. */
export function spinWin(game: CompiledSlot, stops: ArrayLike<number>): number {
  let win = game.scatterPays[scatterCount(game, stops)]!;
  for (const line of game.paylines) win += linePay(game, stops, line);
  return win;
}

export type SpinMode = "base" | "free";

export interface LineWin {
  /** 1-based payline number. */
  payline: number;
  symbol: string;
  count: number;
  /** Line-bet units, free-spin multiplier applied. */
  pay: number;
}

export interface SpinOutcome {
  mode: SpinMode;
  stops: number[];
  /** Symbol ids per reel, top row first. */
  window: string[][];
  lineWins: LineWin[];
  scatterCount: number;
  /** Line-bet units, free-spin multiplier applied. */
  scatterWin: number;
  freeSpinsAwarded: number;
  /** Line-bet units: line wins plus scatter win, free-spin multiplier applied. */
  win: number;
}

/** Evaluates one spin from its stops: a pure function of the game data and the stops. */
export function evaluateSpin(game: CompiledSlot, stops: readonly number[], mode: SpinMode = "base"): SpinOutcome {
  if (stops.length !== game.reelCount || stops.some((stop, reel) => !Number.isInteger(stop) || stop < 0 || stop >= game.lengths[reel]!)) {
    throw new RangeError(`stops ${JSON.stringify(stops)} do not fit the reels of ${game.version.gameId}`);
  }
  const multiplier = mode === "free" ? game.definition.freeSpins.winMultiplier : 1;
  const lineWins: LineWin[] = [];
  game.paylines.forEach((line, index) => {
    const { symbol, count, pay } = evaluateLine(game, stops, line);
    if (pay > 0) lineWins.push({ payline: index + 1, symbol: game.symbolIds[symbol]!, count, pay: pay * multiplier });
  });
  const scatters = scatterCount(game, stops);
  const rule = game.definition.freeSpins;
  const triggers = scatters >= rule.triggerCount && (mode === "base" || rule.retrigger);
  const scatterWin = game.scatterPays[scatters]! * multiplier;
  return {
    mode,
    stops: [...stops],
    window: stops.map((stop, reel) => Array.from({ length: game.rows }, (_, row) => game.symbolIds[symbolAt(game, reel, stop, row)]!)),
    lineWins,
    scatterCount: scatters,
    scatterWin,
    freeSpinsAwarded: triggers ? rule.awarded : 0,
    win: lineWins.reduce((sum, w) => sum + w.pay, scatterWin),
  };
}

/** One stop per reel, drawn uniformly in reel order. */
export function drawStops(game: CompiledSlot, rng: Rng): number[] {
  return game.lengths.map((length) => rng.int(length));
}

export interface PaidSpinResult {
  version: SlotVersion;
  base: SpinOutcome;
  /** Every free spin the base spin led to, retriggers included, in play order. */
  freeSpins: SpinOutcome[];
  /** Line-bet units over the base spin and all its free spins. */
  totalWin: number;
}

/** Plays one paid spin and the free spins it awards, drawing every stop from `rng`. */
export function playPaidSpin(game: CompiledSlot, rng: Rng): PaidSpinResult {
  const base = evaluateSpin(game, drawStops(game, rng), "base");
  const freeSpins: SpinOutcome[] = [];
  let remaining = base.freeSpinsAwarded;
  while (remaining > 0) {
    remaining--;
    const spin = evaluateSpin(game, drawStops(game, rng), "free");
    remaining += spin.freeSpinsAwarded;
    freeSpins.push(spin);
  }
  return { version: game.version, base, freeSpins, totalWin: freeSpins.reduce((sum, s) => sum + s.win, base.win) };
}

/** The stake of one paid spin in minor units. */
export function totalStakeMinor(game: CompiledSlot, lineBetMinor: bigint): bigint {
  if (lineBetMinor <= 0n) throw new RangeError("the line bet must be positive");
  return lineBetMinor * BigInt(game.lineCount);
}

/** A win in line-bet units as money: integer minor units, never floats. */
export function winMinor(winUnits: number, lineBetMinor: bigint): bigint {
  if (!Number.isSafeInteger(winUnits) || winUnits < 0) throw new RangeError(`win units must be a non-negative integer, got ${winUnits}`);
  return BigInt(winUnits) * lineBetMinor;
}
