import { Rational } from "../rational.ts";
import type { CompiledSlot } from "./engine.ts";

/**
 * The exact mathematics of a slot: the distribution of a base spin's win over all stop combinations
 * (every combination counted once, as the RNG draws each stop uniformly), then the free-spin feature
 * solved in closed form.
 *
 * Enumeration runs reel by reel over a state per combination prefix: the win banked by lines that
 * have already ended, the scatters seen, and each still-running line's (symbol, length, leading
 * wilds). Prefixes with equal states merge, so the work is far below the product of strip lengths.
 */

export interface BaseSpinDistribution {
  /** Number of stop combinations: the product of the strip lengths. */
  combinations: bigint;
  /** Base win in line-bet units -> scatter count -> number of combinations. */
  outcomes: Map<number, Map<number, number>>;
}

const DONE = -1;

function encode(symbol: number, count: number, wildRun: number): number {
  return (symbol + 1) * 64 + count * 8 + wildRun;
}

interface PrefixState {
  banked: number;
  scatters: number;
  lines: Int16Array;
  count: number;
}

/** The exact distribution of (base win, scatter count) over every stop combination. */
export function enumerateBaseSpin(game: CompiledSlot): BaseSpinDistribution {
  const { reelCount, rows, wild, scatter, paylines, linePays } = game;
  const wildPays = linePays[wild]!;
  const pay = (symbol: number, count: number, wildRun: number): number =>
    Math.max(symbol === -1 ? 0 : linePays[symbol]![count]!, wildPays[wildRun]!);

  let states = new Map<string, PrefixState>([["", { banked: 0, scatters: 0, lines: new Int16Array(paylines.length).fill(encode(-1, 0, 0)), count: 1 }]]);
  const outcomes = new Map<number, Map<number, number>>();

  for (let reel = 0; reel < reelCount; reel++) {
    const windows = distinctWindows(game, reel);
    const lastReel = reel === reelCount - 1;
    const next = new Map<string, PrefixState>();
    for (const state of states.values()) {
      for (const { symbols, stops } of windows) {
        let banked = state.banked;
        let scatters = state.scatters;
        for (let row = 0; row < rows; row++) if (symbols[row] === scatter) scatters++;
        const lines = new Int16Array(paylines.length);
        for (let l = 0; l < paylines.length; l++) {
          const code = state.lines[l]!;
          if (code === DONE) {
            lines[l] = DONE;
            continue;
          }
          let symbol = (code >> 6) - 1;
          let count = (code >> 3) & 7;
          let wildRun = code & 7;
          const s = symbols[paylines[l]![reel]!]!;
          if (s === wild) {
            count++;
            if (symbol === -1) wildRun++;
          } else if (s === scatter || (symbol !== -1 && s !== symbol)) {
            banked += pay(symbol, count, wildRun);
            lines[l] = DONE;
            continue;
          } else {
            symbol = s;
            count++;
          }
          if (lastReel) {
            banked += pay(symbol, count, wildRun);
            lines[l] = DONE;
          } else {
            lines[l] = encode(symbol, count, wildRun);
          }
        }
        const weight = state.count * stops;
        if (lastReel) {
          const byScatters = outcomes.get(banked) ?? new Map<number, number>();
          byScatters.set(scatters, (byScatters.get(scatters) ?? 0) + weight);
          outcomes.set(banked, byScatters);
          continue;
        }
        const key = `${banked}|${scatters}|${lines.join(",")}`;
        const existing = next.get(key);
        if (existing) existing.count += weight;
        else next.set(key, { banked, scatters, lines, count: weight });
      }
    }
    states = next;
  }

  // Scatter pays depend only on the final count: add them now.
  const withScatterPays = new Map<number, Map<number, number>>();
  for (const [lineWin, byScatters] of outcomes) {
    for (const [scatters, count] of byScatters) {
      const win = lineWin + game.scatterPays[scatters]!;
      const target = withScatterPays.get(win) ?? new Map<number, number>();
      target.set(scatters, (target.get(scatters) ?? 0) + count);
      withScatterPays.set(win, target);
    }
  }
  return { combinations: game.lengths.reduce((product, length) => product * BigInt(length), 1n), outcomes: withScatterPays };
}

/** A reel's distinct windows (symbols top to bottom) with the number of stops showing each. */
function distinctWindows(game: CompiledSlot, reel: number): { symbols: Int8Array; stops: number }[] {
  const strip = game.strips[reel]!;
  const byKey = new Map<string, { symbols: Int8Array; stops: number }>();
  for (let stop = 0; stop < strip.length; stop++) {
    const symbols = Int8Array.from({ length: game.rows }, (_, row) => strip[(stop + row) % strip.length]!);
    const key = symbols.join(",");
    const entry = byKey.get(key);
    if (entry) entry.stops++;
    else byKey.set(key, { symbols, stops: 1 });
  }
  return [...byKey.values()];
}

/** Exact figures of a slot, all per paid spin; wins in line-bet units unless named as RTP. */
export interface SlotMathematics {
  combinations: bigint;
  /** Return to player: expected total win (base + feature) / total bet. */
  rtp: Rational;
  /** RTP from the base game alone and from the free-spin feature. */
  baseRtp: Rational;
  featureRtp: Rational;
  /** P(a paid spin wins anything, its feature included). */
  hitFrequency: Rational;
  /** P(a paid spin awards free spins). */
  featureFrequency: Rational;
  /** P(a free spin retriggers); zero when retriggering is off. */
  retriggerProbability: Rational;
  /** Expected free spins per trigger, retriggers included: awarded / (1 - awarded * p). */
  expectedFreeSpins: Rational;
  /** Expected win of a single free spin (multiplier applied), line-bet units. */
  expectedFreeSpinWin: Rational;
  /** E[X] and E[X^2] of a paid spin's total win X in line-bet units. */
  meanWin: Rational;
  meanSquareWin: Rational;
  /** Var(X) in total-bet units squared, and its square root (the volatility index per spin). */
  variance: Rational;
  standardDeviation: number;
}

/**
 * The exact RTP and variance of a paid spin including its free spins.
 *
 * Let B be a base spin's win and I its trigger indicator (from the enumeration). A free spin wins
 * w = m * B' on independent stops and retriggers with r = I'. A "block" started by one free spin
 * wins T = w + r * (T_1 + ... + T_a), the T_j independent copies (a spins awarded per trigger), so
 *   E[T]   = E[w] / (1 - a p)                                         with p = P(r), a p < 1
 *   E[T^2] = (E[w^2] + 2 a E[w r] E[T] + a (a - 1) p E[T]^2) / (1 - a p)
 * The feature is F = T_1 + ... + T_a: E[F] = a E[T], E[F^2] = a E[T^2] + a (a - 1) E[T]^2; the
 * expected number of free spins is the same series with w = 1: a / (1 - a p), a geometric series
 * sum over retrigger generations a (a p)^k. A paid spin wins X = B + I F, with F independent of
 * (B, I): E[X] = E[B] + P(I) E[F], E[X^2] = E[B^2] + 2 E[B I] E[F] + P(I) E[F^2].
 */
export function slotMathematics(game: CompiledSlot, distribution: BaseSpinDistribution = enumerateBaseSpin(game)): SlotMathematics {
  const rule = game.definition.freeSpins;
  const n = distribution.combinations;
  let sumWin = 0n;
  let sumSquare = 0n;
  let triggers = 0n;
  let sumWinTriggered = 0n;
  let hits = 0n;
  for (const [win, byScatters] of distribution.outcomes) {
    const w = BigInt(win);
    for (const [scatters, count] of byScatters) {
      const c = BigInt(count);
      sumWin += c * w;
      sumSquare += c * w * w;
      const triggered = scatters >= rule.triggerCount;
      if (triggered) {
        triggers += c;
        sumWinTriggered += c * w;
      }
      if (win > 0 || triggered) hits += c;
    }
  }
  const a = BigInt(rule.awarded);
  const m = BigInt(rule.winMultiplier);
  const meanBase = new Rational(sumWin, n);
  const meanSquareBase = new Rational(sumSquare, n);
  const pTrigger = new Rational(triggers, n);
  const meanBaseTriggered = new Rational(sumWinTriggered, n);

  const p = rule.retrigger ? pTrigger : Rational.of(0);
  const survival = Rational.of(1).sub(p.mul(a));
  if (survival.numerator <= 0n) throw new RangeError(`${game.version.gameId}: retriggers never end on average (awarded * p >= 1)`);
  const meanW = meanBase.mul(m);
  const meanSquareW = meanSquareBase.mul(m * m);
  const meanWR = rule.retrigger ? meanBaseTriggered.mul(m) : Rational.of(0);
  const meanT = meanW.div(survival);
  const meanSquareT = meanSquareW
    .add(meanWR.mul(meanT).mul(2n * a))
    .add(p.mul(meanT).mul(meanT).mul(a * (a - 1n)))
    .div(survival);
  const meanF = meanT.mul(a);
  const meanSquareF = meanSquareT.mul(a).add(meanT.mul(meanT).mul(a * (a - 1n)));

  const meanX = meanBase.add(pTrigger.mul(meanF));
  const meanSquareX = meanSquareBase.add(meanBaseTriggered.mul(meanF).mul(2n)).add(pTrigger.mul(meanSquareF));
  const lines = BigInt(game.lineCount);
  const variance = meanSquareX.sub(meanX.mul(meanX)).div(lines * lines);
  return {
    combinations: n,
    rtp: meanX.div(lines),
    baseRtp: meanBase.div(lines),
    featureRtp: pTrigger.mul(meanF).div(lines),
    hitFrequency: new Rational(hits, n),
    featureFrequency: pTrigger,
    retriggerProbability: p,
    expectedFreeSpins: Rational.of(a).div(survival),
    expectedFreeSpinWin: meanW,
    meanWin: meanX,
    meanSquareWin: meanSquareX,
    variance,
    standardDeviation: Math.sqrt(variance.toNumber()),
  };
}
