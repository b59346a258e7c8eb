import { assertRange, type RawSource, type Rng } from "./rng.ts";

/**
 * TEST ONLY. Deterministic stand-ins for the crypto RNG so tests can fix outcomes. Never construct
 * these in production code: they make every outcome predictable by design.
 */

/** Returns the scripted values in order; throws when a value is outside the requested range or the script runs out. */
export class ScriptedRng implements Rng {
  private position = 0;

  constructor(private readonly values: readonly number[]) {}

  int(n: number): number {
    assertRange(n);
    if (this.position >= this.values.length) throw new Error(`ScriptedRng: script exhausted after ${this.values.length} draws`);
    const value = this.values[this.position++]!;
    if (!Number.isInteger(value) || value < 0 || value >= n) throw new Error(`ScriptedRng: scripted value ${value} is outside [0, ${n})`);
    return value;
  }

  get consumed(): number {
    return this.position;
  }
}

/** Raw 32-bit words in order, to drive the rejection path of the scaling. */
export class ScriptedRawSource implements RawSource {
  private position = 0;

  constructor(private readonly words: readonly number[]) {}

  uint32(): number {
    if (this.position >= this.words.length) throw new Error(`ScriptedRawSource: script exhausted after ${this.words.length} words`);
    const word = this.words[this.position++]!;
    if (!Number.isInteger(word) || word < 0 || word >= 2 ** 32) throw new Error(`ScriptedRawSource: ${word} is not a 32-bit word`);
    return word;
  }

  get consumed(): number {
    return this.position;
  }
}
