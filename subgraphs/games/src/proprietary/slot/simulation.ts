import type { Rng } from "../../rng/rng.ts";
import { twoSidedNormalQuantile } from "../../rng/statistics.ts";
import type { SlotMathematics } from "./analysis.ts";
import { scatterCount, spinWin, type CompiledSlot } from "./engine.ts";

export interface SimulationResult {
  gameId: string;
  version: string;
  spins: number;
  /** Total bet and total win over the run, in line-bet units. */
  totalBetUnits: number;
  totalWinUnits: number;
  /** Simulated return to player: total win / total bet. */
  rtp: number;
  /** Share of paid spins that won anything (their free spins included). */
  hitFrequency: number;
  /** Share of paid spins that awarded free spins, and the free spins played. */
  featureFrequency: number;
  freeSpinsPlayed: number;
  /** Sample standard deviation of a paid spin's win, in total bets. */
  standardDeviation: number;
  /** The exact RTP and the confidence interval a correct game's simulated RTP falls in. */
  theoreticalRtp: number;
  bound: { confidence: number; halfWidth: number; low: number; high: number };
  withinBound: boolean;
}

/**
 * The half-width of the interval around the exact RTP that a simulated RTP over `spins` paid spins
 * falls in with probability `confidence` (normal approximation, from the exact per-spin standard
 * deviation in total bets).
 */
export function rtpHalfWidth(standardDeviation: number, spins: number, confidence: number): number {
  return (twoSidedNormalQuantile(1 - confidence) * standardDeviation) / Math.sqrt(spins);
}

/** Plays `spins` paid spins (with all their free spins) on `rng` and compares the result with the exact figures. */
export function simulateSlot(game: CompiledSlot, mathematics: SlotMathematics, spins: number, rng: Rng, confidence = 0.99): SimulationResult {
  if (!Number.isSafeInteger(spins) || spins < 1) throw new RangeError(`spins must be a positive integer, got ${spins}`);
  const rule = game.definition.freeSpins;
  const stops = new Int32Array(game.reelCount);
  const lengths = Int32Array.from(game.lengths);
  const draw = () => {
    for (let reel = 0; reel < stops.length; reel++) stops[reel] = rng.int(lengths[reel]!);
  };

  let totalWin = 0;
  let sumSquares = 0;
  let hits = 0;
  let features = 0;
  let freeSpinsPlayed = 0;
  for (let spin = 0; spin < spins; spin++) {
    draw();
    let win = spinWin(game, stops);
    if (scatterCount(game, stops) >= rule.triggerCount) {
      features++;
      let remaining = rule.awarded;
      while (remaining > 0) {
        remaining--;
        freeSpinsPlayed++;
        draw();
        win += spinWin(game, stops) * rule.winMultiplier;
        if (rule.retrigger && scatterCount(game, stops) >= rule.triggerCount) remaining += rule.awarded;
      }
    }
    totalWin += win;
    sumSquares += win * win;
    if (win > 0) hits++;
  }

  const lines = game.lineCount;
  const mean = totalWin / spins;
  const variance = (sumSquares - spins * mean * mean) / Math.max(1, spins - 1);
  const theoreticalRtp = mathematics.rtp.toNumber();
  const halfWidth = rtpHalfWidth(mathematics.standardDeviation, spins, confidence);
  const rtp = totalWin / (spins * lines);
  return {
    gameId: game.version.gameId,
    version: game.version.version,
    spins,
    totalBetUnits: spins * lines,
    totalWinUnits: totalWin,
    rtp,
    hitFrequency: hits / spins,
    featureFrequency: features / spins,
    freeSpinsPlayed,
    standardDeviation: Math.sqrt(variance) / lines,
    theoreticalRtp,
    bound: { confidence, halfWidth, low: theoreticalRtp - halfWidth, high: theoreticalRtp + halfWidth },
    withinBound: Math.abs(rtp - theoreticalRtp) <= halfWidth,
  };
}
