import { randomFillSync } from "node:crypto";
import { acceptanceLimit, BatchedCryptoRng, CryptoRandomSource, CryptoRng, digitPlan, draws, fillDraws, inverseFor, randomInt, remainder, uniformInt, type RawSource } from "../../src/rng/rng.ts";
import { RecordingRng, verifyRecordedDraw } from "../../src/rng/recording-rng.ts";
import { ScriptedRawSource, ScriptedRng } from "../../src/rng/scripted.ts";
import { chiSquareCriticalValue, chiSquareUniformity } from "../../src/rng/statistics.ts";

/**
 * The statistical tests below draw from the real crypto RNG, so each can fail by chance. Each uses a
 * fixed significance level ALPHA = 1e-6: under a perfect RNG a single test fails with probability
 * exactly 1e-6, and the STATISTICAL_TESTS tests of this file together with probability about 1e-5
 * per run, so that CI (which runs the suite twice) is practically never red by chance. The samples
 * are large enough that a real bias (modulo bias, a stuck bit) is still far beyond the critical
 * value. The certification run (npm run rng:certify) uses the test labs' 99 % instead.
 */
const ALPHA = 1e-6;
const STATISTICAL_TESTS = 10;
const TWO_POW_30 = 2 ** 30;
const TWO_POW_32 = 2 ** 32;

describe("range scaling by rejection", () => {
  it("accepts words below floor(2^32 / n) * n and rejects the tail, at its exact edge", () => {
    const n = 37;
    const limit = TWO_POW_32 - (TWO_POW_32 % 37);
    expect(acceptanceLimit(n)).toBe(limit);

    const source = new ScriptedRawSource([limit, TWO_POW_32 - 1, limit - 1]);
    expect(uniformInt(source, n)).toBe((limit - 1) % 37);
    expect(source.consumed).toBe(3);
  });

  it("rejects the upper quarter of 32-bit words for n = 3 * 2^30", () => {
    const n = 3 * TWO_POW_30;
    expect(acceptanceLimit(n)).toBe(n);

    const source = new ScriptedRawSource([n, n + 12345, TWO_POW_32 - 1, 5]);
    expect(uniformInt(source, n)).toBe(5);
    expect(source.consumed).toBe(4);
    expect(uniformInt(new ScriptedRawSource([n - 1]), n)).toBe(n - 1);
  });

  it("needs no rejection when n divides 2^32", () => {
    expect(acceptanceLimit(1)).toBe(TWO_POW_32);
    expect(acceptanceLimit(TWO_POW_32)).toBe(TWO_POW_32);
    expect(uniformInt(new ScriptedRawSource([TWO_POW_32 - 1]), TWO_POW_32)).toBe(TWO_POW_32 - 1);
    expect(uniformInt(new ScriptedRawSource([TWO_POW_32 - 1]), 256)).toBe(255);
    expect(uniformInt(new ScriptedRawSource([123456789]), 1)).toBe(0);
  });

  it("builds 48-bit words from two 32-bit words above 2^32 and rejects their tail", () => {
    const n = 3 * 2 ** 46;
    expect(acceptanceLimit(n)).toBe(n);
    // 0xc000 in the top 16 bits is exactly n: rejected; then (0x0001, 7) -> 2^32 + 7.
    const source = new ScriptedRawSource([0xffffc000, 0, 0x0001, 7]);
    expect(uniformInt(source, n)).toBe(TWO_POW_32 + 7);
    expect(source.consumed).toBe(4);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 48 + 1, Infinity])("refuses the range %p", (n) => {
    expect(() => randomInt(n)).toThrow(RangeError);
    expect(() => new CryptoRng().int(n)).toThrow(RangeError);
  });

  it.each([
    [TWO_POW_32 - 1, 37],
    [TWO_POW_32 - 1, TWO_POW_32 - 1],
    [TWO_POW_32 - 2, TWO_POW_32 - 1],
    [2 ** 48 - 1, 3],
    [2 ** 48 - 1, 2 ** 48 - 2],
    [3 * 2 ** 46 - 1, 3 * 2 ** 46],
    [0, 1],
  ])("computes %i mod %i exactly", (word, n) => {
    expect(remainder(word, n)).toBe(Number(BigInt(word) % BigInt(n)));
  });
});

describe("randomInt and draws", () => {
  it("stays in [0, n) at the extremes of the range", () => {
    expect(randomInt(1)).toBe(0);
    for (const n of [2, 3, 37, TWO_POW_32, TWO_POW_32 + 1, 2 ** 48]) {
      const values = draws(2000, n);
      expect(values).toHaveLength(2000);
      expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < n)).toBe(true);
    }
  });

  it("covers the whole range for a small n", () => {
    expect(new Set(draws(2000, 10))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it("keeps each range's own limit when one CryptoRng alternates ranges", () => {
    const rng = new CryptoRng();
    for (let i = 0; i < 1000; i++) {
      expect(rng.int(37)).toBeLessThan(37);
      expect(rng.int(2 ** 40)).toBeLessThan(2 ** 40);
      expect(rng.int(1)).toBe(0);
    }
  });

  it("fills typed arrays in range, batched from the pool, and refuses ranges above 2^32", () => {
    const values = fillDraws(new Uint32Array(100_000), 37);
    expect(values.every((v) => v < 37)).toBe(true);
    expect(new Set(values).size).toBe(37);
    expect(fillDraws(new Uint32Array(10), TWO_POW_32)).toHaveLength(10);
    expect(() => fillDraws(new Uint32Array(1), TWO_POW_32 + 1)).toThrow(RangeError);
    expect(() => fillDraws(new Uint32Array(1), 0)).toThrow(RangeError);
  });

  it("gives an empty list for zero draws and refuses a negative count", () => {
    expect(draws(0, 6)).toEqual([]);
    expect(() => draws(-1, 6)).toThrow(RangeError);
  });

  it("refills its pool: words across pool boundaries do not repeat", () => {
    const source = new CryptoRandomSource();
    const poolWords = 16 * 1024;
    const first = Array.from({ length: poolWords }, () => source.uint32());
    const second = Array.from({ length: poolWords }, () => source.uint32());
    expect(second).not.toEqual(first);
    expect(new Set([...first, ...second]).size).toBeGreaterThan(2 * poolWords - 10);
  });
});

/** Uniform 32-bit words from node:crypto, for tests that feed a scripted pool. */
function randomWords(count: number): number[] {
  return Array.from(randomFillSync(new Uint32Array(count)));
}

describe("batched draws: several values per word by an exact change of base", () => {
  /** A source whose pool is refilled with `words` (then zeros), to see exactly what a batch makes of them. */
  const scripted = (words: number[]) =>
    new CryptoRandomSource((pool) => {
      pool.fill(0);
      pool.set(words.splice(0, pool.length));
    });

  it("plans the number of digits per word that gives the most values per word", () => {
    expect(digitPlan(37)).toMatchObject({ digits: 5, modulus: 37 ** 5, limit: 61 * 37 ** 5, lowDigits: 3, highDigits: 2 });
    expect(digitPlan(36)).toMatchObject({ digits: 5, modulus: 36 ** 5, lowDigits: 3, highDigits: 2 });
    expect(digitPlan(32)).toMatchObject({ digits: 6, modulus: 2 ** 30, limit: TWO_POW_32 });
    expect(digitPlan(2)).toMatchObject({ digits: 32, limit: TWO_POW_32, lowDigits: 16, highDigits: 16 });
    expect(digitPlan(3 * TWO_POW_30)).toMatchObject({ digits: 1, limit: 3 * TWO_POW_30 });
    // Every plan keeps at least half of the words and covers each digit tuple equally often.
    for (const n of [2, 3, 6, 10, 36, 37, 38, 100, 255, 256, 1000, 40_000, 65_536, 65_537, 3 * TWO_POW_30]) {
      const plan = digitPlan(n);
      expect(plan.limit % plan.modulus).toBe(0);
      expect(plan.limit).toBeGreaterThanOrEqual(TWO_POW_32 / 2);
      expect(plan.modulus).toBe(n ** plan.digits);
      expect(plan.lowDigits).toBeGreaterThanOrEqual(plan.highDigits);
    }
  });

  it("turns an accepted word into the base-n digits of (word mod n^digits) and skips rejected words", () => {
    const plan = digitPlan(37);
    const m = plan.modulus;
    // 12345678 in base 37, least significant digit first: 6*37^4 + 21*37^3 + 27*37^2 + 0*37 + 36
    const words = [m - 1, plan.limit, TWO_POW_32 - 1, 12_345_678, m + 5, 0];
    const out = new Uint32Array(20);
    scripted(words).fillUniform(out, 37);
    expect(Array.from(out)).toEqual([
      ...[36, 36, 36, 36, 36], // m - 1: every digit at its maximum
      // plan.limit and 2^32 - 1 are rejected: nothing
      ...[36, 0, 27, 21, 6], // 12345678
      ...[5, 0, 0, 0, 0], // m + 5 reduces to 5
      ...[0, 0, 0, 0, 0], // 0
    ]);
  });

  it.each([6, 10, 16, 30, 32, 36, 37, 38, 41, 100, 200, 255, 256, 1000])("gives exactly the base-%i digits of every accepted word, word after word", (n) => {
    const plan = digitPlan(n);
    const words = randomWords(3000);
    // The reference: plain arithmetic on each word, digit by digit, least significant first.
    const expected: number[] = [];
    for (const word of words) {
      if (word >= plan.limit) continue;
      let v = word % plan.modulus;
      const low = v % plan.low;
      let high = Math.floor(v / plan.low);
      v = low;
      for (let d = 0; d < plan.lowDigits; d++, v = Math.floor(v / n)) expected.push(v % n);
      for (let d = 0; d < plan.highDigits; d++, high = Math.floor(high / n)) expected.push(high % n);
    }
    const out = new Uint32Array(expected.length);
    scripted([...words]).fillUniform(out, n);
    expect(Array.from(out)).toEqual(expected);
  });

  it("divides by multiplying with inverseFor exactly at the multiples of each plan's divisors and beside them", () => {
    let checked = 0;
    for (const n of [2, 6, 10, 16, 30, 32, 36, 37, 38, 40, 41, 100, 200, 256]) {
      const plan = digitPlan(n);
      for (const d of [plan.low, plan.modulus]) {
        const inverse = inverseFor(d);
        // Exactness can only fail where w / d is an integer or just below one: at k*d - 1 and k*d.
        // Every multiple below 2^32 where there are at most 2^18 of them, else every step-th and the last 1,000.
        const multiples = Math.floor((TWO_POW_32 - 1) / d);
        const step = Math.max(1, Math.floor(multiples / 2 ** 18));
        for (let k = 0; k <= multiples; k += k >= multiples - 1000 ? 1 : step) {
          for (const w of [k * d - 1, k * d, k * d + 1]) {
            if (w < 0) continue;
            if (Math.floor(w * inverse) !== Math.floor(w / d)) throw new Error(`floor(${w} * inverseFor(${d})) is ${Math.floor(w * inverse)}`);
            checked++;
          }
        }
      }
      // The top word too, the largest product.
      expect(Math.floor((TWO_POW_32 - 1) * inverseFor(plan.low))).toBe(Math.floor((TWO_POW_32 - 1) / plan.low));
    }
    expect(checked).toBeGreaterThan(5_000_000);
  });

  it("splits words through the high table for reel-sized ranges and through two multiplications where that table would be too big", () => {
    for (const n of [30, 32, 36, 37, 38]) expect(digitPlan(n).highTable).not.toBeNull();
    const wide = digitPlan(41); // 4 digits per word: limit / 41^2 is 2.5 million high numbers
    expect(wide.packed).not.toBeNull();
    expect(wide.highTable).toBeNull();
    const plan = digitPlan(37);
    const table = plan.highTable!;
    expect(table.length).toBe(plan.limit / plan.low);
    // Entry h holds the base-37 digits of h mod 37^2, one byte each.
    for (const h of [0, 1, 36, 37, 37 * 37 - 1, 37 * 37, table.length - 1]) {
      const r = h % (37 * 37);
      expect(table[h]).toBe((r % 37) + Math.floor(r / 37) * 256);
    }
  });

  it("stops mid-word at the end of the array and keeps drawing from the pool", () => {
    const source = scripted([37 ** 5 - 1, 1]);
    const out = new Uint32Array(3);
    source.fillUniform(out, 37);
    expect(Array.from(out)).toEqual([36, 36, 36]);
    source.fillUniform(out, 37);
    expect(Array.from(out)).toEqual([1, 0, 0]);
  });

  it("serves single draws from per-range batches (BatchedCryptoRng): ranges interleaved as a slot draws its reels", () => {
    const rng = new BatchedCryptoRng();
    const lengths = [32, 34, 36, 36, 38];
    const last = new Array<number>(38).fill(0);
    for (let i = 0; i < 38 * 20_000; i++) {
      for (const length of lengths.slice(0, 4)) expect(rng.int(length)).toBeLessThan(length);
      last[rng.int(38)]!++;
    }
    expect(chiSquareUniformity("batched single draws n = 38 between other ranges", last, ALPHA).passed).toBe(true);
    expect(rng.int(1)).toBe(0);
    expect(rng.int(2 ** 40)).toBeLessThan(2 ** 40);
    expect(() => rng.int(0)).toThrow(RangeError);
  });

  it("is uniform for n = 36 (a reel) through the batched draws", () => {
    const counts = new Array<number>(36).fill(0);
    for (const value of fillDraws(new Uint32Array(36 * 50_000), 36)) counts[value]!++;
    expect(chiSquareUniformity("batched n = 36", counts, ALPHA).passed).toBe(true);
  });

  it("gives independent consecutive values: pairs of batched draws are uniform over the 37 x 37 cells", () => {
    const values = fillDraws(new Uint32Array(2 * 37 * 37 * 400), 37);
    const pairs = new Array<number>(37 * 37).fill(0);
    for (let i = 0; i < values.length; i += 2) pairs[values[i]! * 37 + values[i + 1]!]!++;
    const test = chiSquareUniformity("pairs n = 37", pairs, ALPHA);
    expect(test.statistic).toBeLessThan(chiSquareCriticalValue(ALPHA, 37 * 37 - 1));
    expect(test.passed).toBe(true);
  });
});

describe("uniformity of scaled draws (chi-square at 1 - 1e-6)", () => {
  it("has computed critical values: chi-square(36) at 0.001 is 67.985 (published), at 1e-6 about 92.4", () => {
    expect(chiSquareCriticalValue(0.001, 36)).toBeCloseTo(67.985, 2);
    expect(chiSquareCriticalValue(ALPHA, 36)).toBeGreaterThan(90);
    expect(chiSquareCriticalValue(ALPHA, 36)).toBeLessThan(95);
    expect(STATISTICAL_TESTS).toBe(10);
  });

  it.each([2, 3, 7, 37])("is uniform for n = %i over 50,000 draws per cell", (n) => {
    const rng = new CryptoRng();
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < 50_000 * n; i++) counts[rng.int(n)]!++;
    const test = chiSquareUniformity(`n = ${n}`, counts, ALPHA);
    expect(test.statistic).toBeLessThan(chiSquareCriticalValue(ALPHA, n - 1));
    expect(test.passed).toBe(true);
  });

  it("is uniform for n = 37 through the batched draws", () => {
    const counts = new Array<number>(37).fill(0);
    for (const value of draws(37 * 50_000, 37)) counts[value]!++;
    expect(chiSquareUniformity("batched n = 37", counts, ALPHA).passed).toBe(true);
  });

  it("has no modulo bias for n = 3 * 2^30, where a bare modulo would make the lowest third twice as likely", () => {
    const n = 3 * TWO_POW_30;
    const words = new CryptoRandomSource();
    const rawWords: number[] = [];
    const recordingSource: RawSource = {
      uint32: () => {
        const word = words.uint32();
        rawWords.push(word);
        return word;
      },
    };
    const thirds = [0, 0, 0];
    const draws = 300_000;
    for (let i = 0; i < draws; i++) thirds[Math.floor(uniformInt(recordingSource, n) / TWO_POW_30)]!++;

    expect(chiSquareUniformity("rejection", thirds, ALPHA).passed).toBe(true);

    // The same words scaled with a bare modulo fail the same test overwhelmingly: the test has power.
    const naiveThirds = [0, 0, 0];
    for (const word of rawWords) naiveThirds[Math.floor((word % n) / TWO_POW_30)]!++;
    expect(chiSquareUniformity("bare modulo", naiveThirds, ALPHA).pValue).toBeLessThan(1e-100);
    // A quarter of the words fall in the rejected tail, so about 4/3 words are used per draw.
    expect(rawWords.length / draws).toBeGreaterThan(1.3);
    expect(rawWords.length / draws).toBeLessThan(1.37);
  });
});

describe("RecordingRng", () => {
  it("records every raw word, the range and the value, rejected words included", () => {
    const n = 3 * TWO_POW_30;
    const rng = new RecordingRng(new ScriptedRawSource([n + 1, 42, 7]));
    expect(rng.int(n)).toBe(42);
    expect(rng.int(10)).toBe(7);
    expect(rng.draws).toEqual([
      { range: n, bits: 32, raw: [n + 1, 42], value: 42 },
      { range: 10, bits: 32, raw: [7], value: 7 },
    ]);
    expect(rng.draws.every(verifyRecordedDraw)).toBe(true);
  });

  it("lets an auditor detect a tampered draw", () => {
    expect(verifyRecordedDraw({ range: 10, bits: 32, raw: [17], value: 7 })).toBe(true);
    expect(verifyRecordedDraw({ range: 10, bits: 32, raw: [17], value: 8 })).toBe(false);
    expect(verifyRecordedDraw({ range: 10, bits: 32, raw: [5, 17], value: 7 })).toBe(false);
    expect(verifyRecordedDraw({ range: 10, bits: 48, raw: [17], value: 7 })).toBe(false);
    expect(verifyRecordedDraw({ range: 10, bits: 32, raw: [], value: 7 })).toBe(false);
  });

  it("records crypto draws that verify", () => {
    const rng = new RecordingRng();
    const values = Array.from({ length: 100 }, () => rng.int(37));
    expect(rng.draws.map((d) => d.value)).toEqual(values);
    expect(rng.draws.every(verifyRecordedDraw)).toBe(true);
  });
});

describe("ScriptedRng (tests only)", () => {
  it("replays its script and refuses values outside the range or past its end", () => {
    const rng = new ScriptedRng([3, 0]);
    expect(rng.int(4)).toBe(3);
    expect(() => rng.int(1)).not.toThrow();
    expect(() => rng.int(4)).toThrow(/exhausted/);
    expect(() => new ScriptedRng([4]).int(4)).toThrow(/outside/);
  });
});
