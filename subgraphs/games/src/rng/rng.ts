import { randomFillSync } from "node:crypto";

/**
 * The RNG behind every proprietary game outcome (GC RTS 7; GLI-19 lineage).
 *
 * Source: node:crypto's CSPRNG (OpenSSL's DRBG, reseeded by the operating system), read through a
 * pool of random bytes that is refilled with randomFillSync when used up. There is deliberately no
 * seeding API: nothing a caller passes can make an outcome predictable.
 *
 * Scaling: a raw uniform word w of b bits (b = 32, or 48 for ranges above 2^32) is accepted only when
 * w < floor(2^b / n) * n, and the result is w mod n. Every residue then has exactly floor(2^b / n)
 * preimages, so the result is exactly uniform on [0, n); rejected words are discarded and another
 * word is drawn. No float multiplication, no bare modulo.
 */

/** What games consume: an exactly uniform integer in [0, n). Tests inject a scripted one. */
export interface Rng {
  int(n: number): number;
}

/** Uniform raw words; the seam between the byte source and the range scaling. */
export interface RawSource {
  /** A uniform integer in [0, 2^32). */
  uint32(): number;
}

export const MAX_RANGE = 2 ** 48;
const TWO_POW_32 = 2 ** 32;

/** Throws unless n is an integer in [1, 2^48]; a bad range is a programming error, never clamped. */
export function assertRange(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_RANGE) {
    throw new RangeError(`RNG range must be an integer in [1, 2^48], got ${n}`);
  }
}

/** Raw word width used for a range: 32 bits up to 2^32, 48 bits above. */
export function wordBits(n: number): 32 | 48 {
  return n <= TWO_POW_32 ? 32 : 48;
}

/** The number of accepted raw words for range n: the largest multiple of n not above 2^bits. */
export function acceptanceLimit(n: number): number {
  const space = wordBits(n) === 32 ? TWO_POW_32 : MAX_RANGE;
  return space - (space % n);
}

/** One raw word of the width range n needs (48-bit words are built from two 32-bit words). */
export function rawWord(source: RawSource, n: number): number {
  if (n <= TWO_POW_32) return source.uint32();
  return (source.uint32() & 0xffff) * TWO_POW_32 + source.uint32();
}

/** The scaled value of an accepted raw word, or undefined when the word falls in the rejected tail. */
export function scaleWord(word: number, n: number, limit = acceptanceLimit(n)): number | undefined {
  return word < limit ? word % n : undefined;
}

/** A uniform integer in [0, n) from a raw source, by rejection sampling. */
export function uniformInt(source: RawSource, n: number): number {
  assertRange(n);
  const limit = acceptanceLimit(n);
  for (;;) {
    const value = scaleWord(rawWord(source, n), n, limit);
    if (value !== undefined) return value;
  }
}

const POOL_BYTES = 64 * 1024;

/** node:crypto's CSPRNG behind a refilled pool, read as native-endian 32-bit words. */
export class CryptoRandomSource implements RawSource {
  private readonly pool = new Uint32Array(POOL_BYTES / 4);
  private next = this.pool.length;

  uint32(): number {
    if (this.next === this.pool.length) {
      randomFillSync(this.pool);
      this.next = 0;
    }
    return this.pool[this.next++]!;
  }
}

/** The production Rng: crypto words scaled by rejection. */
export class CryptoRng implements Rng {
  constructor(private readonly source: RawSource = new CryptoRandomSource()) {}

  int(n: number): number {
    return uniformInt(this.source, n);
  }
}

const processRng = new CryptoRng();

/** A uniform integer in [0, n), 1 <= n <= 2^48, from the process's crypto RNG. */
export function randomInt(n: number): number {
  return processRng.int(n);
}

/** `count` independent uniform integers in [0, n). */
export function draws(count: number, n: number, rng: Rng = processRng): number[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`draw count must be a non-negative integer, got ${count}`);
  assertRange(n);
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = rng.int(n);
  return values;
}
