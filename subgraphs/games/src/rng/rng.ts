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
 * word is drawn. No float multiplication of a random fraction, no modulo without rejection.
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

/**
 * w mod n for integers 0 <= w < 2^48, 1 <= n <= 2^48, exactly: the quotient w / n is rounded by less
 * than 1/n, so its floor is the integer quotient. V8 compiles this to a division instead of the
 * fmod call it emits for `%` on words above 2^31, which is several times slower.
 */
export function remainder(word: number, n: number): number {
  return word - Math.floor(word / n) * n;
}

/** The scaled value of an accepted raw word, or undefined when the word falls in the rejected tail. */
export function scaleWord(word: number, n: number, limit = acceptanceLimit(n)): number | undefined {
  return word < limit ? remainder(word, n) : undefined;
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

  /**
   * `refill` is node:crypto's randomFillSync; tests of the scaling pass scripted words through it
   * (like ScriptedRawSource for single draws). Production code never passes anything.
   */
  constructor(private readonly refill: (pool: Uint32Array) => void = randomFillSync) {}

  uint32(): number {
    if (this.next === this.pool.length) {
      this.refill(this.pool);
      this.next = 0;
    }
    return this.pool[this.next++]!;
  }

  /**
   * Fills `out` with values in [0, n), n <= 2^32, reading the pool directly. For ranges up to 2^16
   * one accepted word yields several values (see DigitPlan); otherwise one value per accepted word,
   * by the same rejection as uniformInt.
   */
  fillUniform(out: Uint32Array, n: number): void {
    assertRange(n);
    if (n > TWO_POW_32) throw new RangeError("fillUniform takes ranges up to 2^32");
    if (n === 1) {
      out.fill(0);
      return;
    }
    const plan = digitPlan(n);
    const pool = this.pool;
    let next = this.next;
    let filled = 0;
    const length = out.length;
    if (plan.digits === 1) {
      const limit = plan.limit;
      while (filled < length) {
        if (next === pool.length) {
          this.refill(pool);
          next = 0;
        }
        const word = pool[next++]!;
        if (word < limit) out[filled++] = remainder(word, n);
      }
      this.next = next;
      return;
    }
    const { limit, modulus, low, lowDigits, highDigits, table, packed } = plan;
    const reduce = limit !== modulus;
    if (packed) {
      filled = plan.highTable && lowDigits === 3 && highDigits === 2 ? this.fillFiveDigitWords(out, plan) : this.fillPackedWords(out, plan);
      next = this.next;
    }
    // What is left (or every value, without a packed table): digit by digit from the table.
    while (filled < length) {
      if (next === pool.length) {
        this.refill(pool);
        next = 0;
      }
      const word = pool[next++]!;
      if (word >= limit) continue;
      // v is uniform on [0, n^digits): its base-n digits are independent and uniform on [0, n).
      const v = reduce ? remainder(word, modulus) : word;
      const high = Math.floor(v / low);
      let at = (v - high * low) * lowDigits;
      const lowEnd = Math.min(length, filled + lowDigits);
      while (filled < lowEnd) out[filled++] = table[at++]!;
      at = high * lowDigits;
      const highEnd = Math.min(length, filled + highDigits);
      while (filled < highEnd) out[filled++] = table[at++]!;
    }
    this.next = next;
  }

  /**
   * The words of the pool from `next`, as many as can each be turned into values while the output
   * still has room for `room` more values after the last; refills the pool first when used up.
   */
  private segmentEnd(filled: number, length: number, per: number, room: number): number {
    if (this.next === this.pool.length) {
      this.refill(this.pool);
      this.next = 0;
    }
    return Math.min(this.pool.length, this.next + Math.floor((length - room - filled) / per) + 1);
  }

  /**
   * Five values per accepted word (3 low + 2 high digits: ranges 34-40, so 37 pockets and most reel
   * lengths), from the start of `out` while 5 values fit; returns how many were written. One
   * multiplication splits the accepted word itself: word = high * low + (word mod low), and the high
   * table holds the digits of (high mod n^2), which are those of (word mod n^5) / low.
   */
  private fillFiveDigitWords(out: Uint32Array, plan: DigitPlan): number {
    const { limit, low, inverseLow } = plan;
    const packed = plan.packed!;
    const highTable = plan.highTable!;
    const pool = this.pool;
    const length = out.length;
    let filled = 0;
    while (filled + 5 <= length) {
      const end = this.segmentEnd(filled, length, 5, 5);
      for (let i = this.next; i < end; i++) {
        const word = pool[i]!;
        if (word >= limit) continue;
        const high = Math.floor(word * inverseLow);
        const a = packed[word - high * low]!;
        const b = highTable[high]!;
        out[filled] = a & 255;
        out[filled + 1] = (a >>> 8) & 255;
        out[filled + 2] = a >>> 16;
        out[filled + 3] = b & 255;
        out[filled + 4] = b >>> 8;
        filled += 5;
      }
      this.next = end;
    }
    return filled;
  }

  /**
   * Any packed shape (at most 4 + 4 digits): each accepted word stores four values from each packed
   * half unconditionally and advances by the digits it really has, so the loop has no per-shape
   * branches; values past those digits are overwritten by the next word. It stops 8 values short of
   * the end of `out` and returns how many it wrote.
   */
  private fillPackedWords(out: Uint32Array, plan: DigitPlan): number {
    const { limit, modulus, low, lowDigits, highDigits, inverseLow, inverseModulus, highTable } = plan;
    const packed = plan.packed!;
    const pool = this.pool;
    const length = out.length;
    const per = lowDigits + highDigits;
    const reduce = limit !== modulus;
    let filled = 0;
    while (filled + 8 <= length) {
      const end = this.segmentEnd(filled, length, per, 8);
      for (let i = this.next; i < end; i++) {
        const word = pool[i]!;
        if (word >= limit) continue;
        let a: number;
        let b: number;
        if (highTable) {
          // As in fillFiveDigitWords: the high table splits the accepted word without reducing it.
          const high = Math.floor(word * inverseLow);
          a = packed[word - high * low]!;
          b = highTable[high]!;
        } else {
          const v = reduce ? word - Math.floor(word * inverseModulus) * modulus : word;
          const high = Math.floor(v * inverseLow);
          a = packed[v - high * low]!;
          // high < n^highDigits <= low: its digits are the low bytes of its packed entry.
          b = packed[high]!;
        }
        out[filled] = a & 255;
        out[filled + 1] = (a >>> 8) & 255;
        out[filled + 2] = (a >>> 16) & 255;
        out[filled + 3] = a >>> 24;
        filled += lowDigits;
        out[filled] = b & 255;
        out[filled + 1] = (b >>> 8) & 255;
        out[filled + 2] = (b >>> 16) & 255;
        out[filled + 3] = b >>> 24;
        filled += highDigits;
      }
      this.next = end;
    }
    return filled;
  }
}

/**
 * How a batch draws values in [0, n) from 32-bit words with several values per word, exactly:
 *
 *   accept a word w only when w < limit, the largest multiple of M = n^digits not above 2^32; then
 *   v = w mod M is uniform on [0, M), and the `digits` base-n digits of v are independent and each
 *   uniform on [0, n) (the base-n representation is a bijection between [0, n^k) and [0, n)^k).
 *
 * This is rejection sampling with an exact integer change of base: no modulo without rejection, no
 * float scaling. `digits` maximises the expected values per word, digits * limit / 2^32 (for n = 37:
 * 5 digits, 4.93 values per word; one value per word for ranges above 2^16). The digits are read
 * from a table of the base-n digits of every number below n^lowDigits (at most 2^16 numbers): v is
 * split into v mod n^lowDigits and floor(v / n^lowDigits), which has highDigits <= lowDigits digits.
 */
export interface DigitPlan {
  digits: number;
  limit: number;
  modulus: number;
  low: number;
  lowDigits: number;
  highDigits: number;
  table: Uint8Array | Uint16Array;
  /**
   * The same digits packed one byte each into one word per number (n <= 256 and at most 4 digits):
   * one load per half of v instead of one per digit. Null when the digits do not fit.
   */
  packed: Uint32Array | null;
  /**
   * With a packed table, and when limit / low numbers fit in HIGH_TABLE_ENTRIES: for every h below
   * limit / low, the digits of (h mod n^highDigits) packed the same way. An accepted word w then
   * splits with one multiplication, h = floor(w / low), without reducing w mod n^digits first.
   */
  highTable: Uint32Array | null;
  /** 1/low and 1/modulus rounded up far enough that floor(w * inverse) is floor(w / d) for every w < 2^32 (see inverseFor). */
  inverseLow: number;
  inverseModulus: number;
}

/** The largest high table a plan builds (2^18 entries, 1 MiB), so that it stays in the core's L2 cache. */
const HIGH_TABLE_ENTRIES = 2 ** 18;

/**
 * A reciprocal of d for exact integer division of words w < 2^32 by multiplication:
 * floor(w * inverseFor(d)) = floor(w / d). The reciprocal is 1/d scaled up by 2^-44, far more than
 * the rounding of the reciprocal and of the product (each below 2^-53 relative), so the product is
 * never below w / d; and it exceeds w / d by less than (2^32 / d) * 2^-43 < 1 / d, the distance from
 * w / d up to the next integer whenever w / d is not one. Tested at every multiple of d and its
 * neighbours for the plans' divisors.
 */
export function inverseFor(d: number): number {
  return (1 / d) * (1 + 2 ** -44);
}

const plans = new Map<number, DigitPlan>();

export function digitPlan(n: number): DigitPlan {
  const cached = plans.get(n);
  if (cached) return cached;
  assertRange(n);
  if (n < 2 || n > TWO_POW_32) throw new RangeError(`digit plans are for ranges in [2, 2^32], got ${n}`);
  let best = { digits: 1, modulus: n, limit: acceptanceLimit(n), expected: acceptanceLimit(n) / TWO_POW_32 };
  if (n <= 2 ** 16) {
    // The table holds the digits of numbers below n^j <= 2^16; v must split into two such halves.
    let tableDigits = 1;
    while (n ** (tableDigits + 1) <= 2 ** 16) tableDigits++;
    for (let digits = 2, modulus = n * n; modulus <= TWO_POW_32 && digits <= 2 * tableDigits; digits++, modulus *= n) {
      const limit = TWO_POW_32 - (TWO_POW_32 % modulus);
      const expected = (digits * limit) / TWO_POW_32;
      if (expected > best.expected) best = { digits, modulus, limit, expected };
    }
  }
  let lowDigits = 1;
  let low = n;
  while (lowDigits < best.digits - lowDigits && low * n <= 2 ** 16) {
    lowDigits++;
    low *= n;
  }
  const highDigits = best.digits - lowDigits;
  // The high part indexes the same table: it must have no more digits than the table's numbers.
  if (highDigits > lowDigits) throw new Error(`digit plan for ${n}: ${highDigits} high digits exceed the table's ${lowDigits}`);
  const table = best.digits === 1 ? new Uint8Array(0) : n <= 256 ? new Uint8Array(low * lowDigits) : new Uint16Array(low * lowDigits);
  if (best.digits > 1) {
    for (let x = 0; x < low; x++) {
      let rest = x;
      for (let d = 0; d < lowDigits; d++) {
        table[x * lowDigits + d] = rest % n;
        rest = Math.floor(rest / n);
      }
    }
  }
  let packed: Uint32Array | null = null;
  if (best.digits > 1 && n <= 256 && lowDigits <= 4) {
    packed = new Uint32Array(low);
    for (let x = 0; x < low; x++) {
      let word = 0;
      for (let d = 0; d < lowDigits; d++) word += table[x * lowDigits + d]! * 2 ** (8 * d);
      packed[x] = word;
    }
  }
  let highTable: Uint32Array | null = null;
  const highCount = best.limit / low;
  if (packed && highDigits > 0 && highCount <= HIGH_TABLE_ENTRIES) {
    const highModulus = n ** highDigits;
    highTable = new Uint32Array(highCount);
    for (let h = 0; h < highCount; h++) highTable[h] = packed[h % highModulus]!;
  }
  const plan: DigitPlan = {
    digits: best.digits,
    limit: best.limit,
    modulus: best.modulus,
    low,
    lowDigits,
    highDigits,
    table,
    packed,
    highTable,
    inverseLow: inverseFor(low),
    inverseModulus: inverseFor(best.modulus),
  };
  // A handful of ranges in practice (reel lengths, 37 pockets); the bound keeps a misuse from growing memory.
  if (plans.size < 64) plans.set(n, plan);
  return plan;
}

/** The production Rng: crypto words scaled by rejection, with the last range's limit cached. */
export class CryptoRng implements Rng {
  private range = 1;
  private limit = TWO_POW_32;

  constructor(readonly source: CryptoRandomSource = new CryptoRandomSource()) {}

  int(n: number): number {
    if (n !== this.range) {
      assertRange(n);
      this.range = n;
      this.limit = acceptanceLimit(n);
    }
    if (n > TWO_POW_32) return uniformInt(this.source, n);
    const limit = this.limit;
    for (;;) {
      const word = this.source.uint32();
      if (word < limit) return remainder(word, n);
    }
  }
}

/**
 * An Rng that serves single draws from batches (fillUniform: several values per accepted word), one
 * buffer per range. Same exactness as CryptoRng; for bulk play such as simulations and the evidence
 * pack. Rounds use RecordingRng instead, which keeps every raw word with the draw it made.
 */
export class BatchedCryptoRng implements Rng {
  private readonly buffers = new Map<number, { values: Uint32Array; next: number }>();
  private lastRange = 0;
  private last: { values: Uint32Array; next: number } | undefined;
  private readonly single: CryptoRng;

  constructor(
    readonly source: CryptoRandomSource = new CryptoRandomSource(),
    private readonly batch = 4096,
  ) {
    this.single = new CryptoRng(source);
  }

  int(n: number): number {
    let buffer = n === this.lastRange ? this.last : undefined;
    if (!buffer) {
      assertRange(n);
      if (n > 2 ** 16) return this.single.int(n);
      buffer = this.buffers.get(n);
      if (!buffer) {
        buffer = { values: new Uint32Array(this.batch), next: this.batch };
        if (this.buffers.size < 64) this.buffers.set(n, buffer);
      }
      this.lastRange = n;
      this.last = buffer;
    }
    if (buffer.next === buffer.values.length) {
      this.source.fillUniform(buffer.values, n);
      buffer.next = 0;
    }
    return buffer.values[buffer.next++]!;
  }
}

const processRng = new CryptoRng();

/** A uniform integer in [0, n), 1 <= n <= 2^48, from the process's crypto RNG. */
export function randomInt(n: number): number {
  return processRng.int(n);
}

/** `count` independent uniform integers in [0, n); batched straight from the pool when drawn from crypto. */
export function draws(count: number, n: number, rng: Rng = processRng): number[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`draw count must be a non-negative integer, got ${count}`);
  assertRange(n);
  if (rng instanceof CryptoRng && n <= TWO_POW_32) {
    const values = new Uint32Array(count);
    rng.source.fillUniform(values, n);
    return Array.from(values);
  }
  const values = new Array<number>(count);
  for (let i = 0; i < count; i++) values[i] = rng.int(n);
  return values;
}

/** Fills a typed array with uniform integers in [0, n), n <= 2^32, from the process RNG: the fastest way to draw many. */
export function fillDraws(out: Uint32Array, n: number): Uint32Array {
  processRng.source.fillUniform(out, n);
  return out;
}
