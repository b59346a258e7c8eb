import { acceptanceLimit, assertRange, CryptoRandomSource, rawWord, scaleWord, wordBits, type RawSource, type Rng } from "./rng.ts";

/** One scaled draw as stored with a round: enough to re-derive the value from the raw words. */
export interface RecordedDraw {
  /** The range: the value is in [0, range). */
  range: number;
  /** Raw word width in bits. */
  bits: 32 | 48;
  /** Every raw word consumed, in order: rejected words first, the accepted word last. */
  raw: number[];
  value: number;
}

/**
 * An Rng that records every raw word and every scaled result, so a round can store its draws for
 * audit. Record per round: create one for the round, play it, store `draws`.
 */
export class RecordingRng implements Rng {
  private readonly recorded: RecordedDraw[] = [];

  constructor(private readonly source: RawSource = new CryptoRandomSource()) {}

  int(n: number): number {
    assertRange(n);
    const limit = acceptanceLimit(n);
    const raw: number[] = [];
    for (;;) {
      const word = rawWord(this.source, n);
      raw.push(word);
      const value = scaleWord(word, n, limit);
      if (value !== undefined) {
        this.recorded.push({ range: n, bits: wordBits(n), raw, value });
        return value;
      }
    }
  }

  get draws(): readonly RecordedDraw[] {
    return this.recorded;
  }
}

/**
 * An auditor's check of a stored draw: every word but the last was rejected, the last was accepted,
 * and it scales to the stored value.
 */
export function verifyRecordedDraw(draw: RecordedDraw): boolean {
  if (draw.bits !== wordBits(draw.range) || draw.raw.length === 0) return false;
  const limit = acceptanceLimit(draw.range);
  const accepted = draw.raw[draw.raw.length - 1]!;
  return draw.raw.slice(0, -1).every((word) => word >= limit) && scaleWord(accepted, draw.range, limit) === draw.value;
}
