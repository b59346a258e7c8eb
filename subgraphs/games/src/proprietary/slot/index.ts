import { CryptoRng, type Rng } from "../../rng/rng.ts";
import type { Rational } from "../rational.ts";
import { slotMathematics, type SlotMathematics } from "./analysis.ts";
import { compileSlot, type CompiledSlot } from "./engine.ts";
import { FIVE_CROWNS } from "./five-crowns.ts";
import { simulateSlot, type SimulationResult } from "./simulation.ts";

export { FIVE_CROWNS } from "./five-crowns.ts";
export { slotVersion, validateSlotDefinition, SlotDefinitionError, type SlotDefinition, type SlotVersion, type FreeSpinsRule } from "./definition.ts";
export {
  compileSlot,
  drawStops,
  evaluateSpin,
  playPaidSpin,
  totalStakeMinor,
  winMinor,
  type CompiledSlot,
  type LineWin,
  type PaidSpinResult,
  type SpinMode,
  type SpinOutcome,
} from "./engine.ts";
export { enumerateBaseSpin, slotMathematics, type BaseSpinDistribution, type SlotMathematics } from "./analysis.ts";
export { rtpHalfWidth, simulateSlot, type SimulationResult } from "./simulation.ts";

/** Five Crowns, compiled once. */
export const fiveCrowns: CompiledSlot = compileSlot(FIVE_CROWNS);

let fiveCrownsMath: SlotMathematics | undefined;

/** Five Crowns' exact mathematics (enumerated once per process, in well under a second). */
export function fiveCrownsMathematics(): SlotMathematics {
  fiveCrownsMath ??= slotMathematics(fiveCrowns);
  return fiveCrownsMath;
}

/** Five Crowns' exact theoretical RTP: a reduced fraction and its decimal. */
export function theoreticalRtp(): { rational: Rational; numerator: bigint; denominator: bigint; decimal: number; percent: string } {
  const rtp = fiveCrownsMathematics().rtp;
  return { rational: rtp, numerator: rtp.numerator, denominator: rtp.denominator, decimal: rtp.toNumber(), percent: rtp.mul(100n).toDecimal(4) };
}

/** Monte Carlo play of Five Crowns against its exact RTP (99 % bound unless told otherwise). */
export function simulate(spins: number, rng: Rng = new CryptoRng(), confidence = 0.99): SimulationResult {
  return simulateSlot(fiveCrowns, fiveCrownsMathematics(), spins, rng, confidence);
}
