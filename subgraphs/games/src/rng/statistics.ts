/**
 * The statistics behind the RNG tests and the certification report: p-values computed from the
 * distributions themselves (regularised incomplete gamma, Kolmogorov), not read from tables.
 */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let sum = 0.99999999999980993;
  for (let i = 0; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i + 1);
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPSILON = 1e-15;
const MAX_ITERATIONS = 10_000;

/** Q(a, x) = Γ(a, x) / Γ(a), the upper regularised incomplete gamma function. */
export function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // Series for P(a, x), then Q = 1 - P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(logPrefix) * h;
}

/** P(X >= statistic) for X ~ chi-square with `degreesOfFreedom`. */
export function chiSquareSurvival(statistic: number, degreesOfFreedom: number): number {
  return upperRegularizedGamma(degreesOfFreedom / 2, statistic / 2);
}

/** The statistic c with P(X >= c) = alpha for X ~ chi-square(df): the critical value at confidence 1 - alpha. */
export function chiSquareCriticalValue(alpha: number, degreesOfFreedom: number): number {
  let low = 0;
  let high = degreesOfFreedom + 20 * Math.sqrt(2 * degreesOfFreedom) + 100;
  for (let i = 0; i < 200; i++) {
    const middle = (low + high) / 2;
    if (chiSquareSurvival(middle, degreesOfFreedom) > alpha) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** erfc(x), from Q(1/2, x^2). */
export function erfc(x: number): number {
  return x >= 0 ? upperRegularizedGamma(0.5, x * x) : 2 - upperRegularizedGamma(0.5, x * x);
}

/** P(|Z| >= |z|) for a standard normal Z. */
export function twoSidedNormalP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** The z with P(|Z| >= z) = alpha (e.g. 2.5758 for alpha = 0.01). */
export function twoSidedNormalQuantile(alpha: number): number {
  let low = 0;
  let high = 40;
  for (let i = 0; i < 200; i++) {
    const middle = (low + high) / 2;
    if (twoSidedNormalP(middle) > alpha) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** The outcome of one statistical test at a stated significance level. */
export interface TestResult {
  name: string;
  statistic: number;
  pValue: number;
  /** The significance level alpha: the test passes when pValue >= alpha (confidence 1 - alpha). */
  alpha: number;
  passed: boolean;
  detail: string;
}

function result(name: string, statistic: number, pValue: number, alpha: number, detail: string): TestResult {
  return { name, statistic, pValue, alpha, passed: pValue >= alpha, detail };
}

/** Pearson's chi-square goodness of fit of `counts` against the uniform distribution over its cells. */
export function chiSquareUniformity(name: string, counts: ArrayLike<number>, alpha: number): TestResult {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const expected = total / counts.length;
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) statistic += (counts[i]! - expected) ** 2 / expected;
  const df = counts.length - 1;
  return result(name, statistic, chiSquareSurvival(statistic, df), alpha, `${total} draws in ${counts.length} cells, df = ${df}, critical value ${chiSquareCriticalValue(alpha, df).toFixed(3)}`);
}

function bitAt(bytes: Uint8Array, index: number): number {
  return (bytes[index >>> 3]! >>> (index & 7)) & 1;
}

/** NIST SP 800-22 frequency (monobit) test. */
export function monobitTest(bytes: Uint8Array, alpha: number): TestResult {
  const n = bytes.length * 8;
  let ones = 0;
  for (const byte of bytes) ones += popcount8(byte);
  const s = 2 * ones - n;
  const statistic = Math.abs(s) / Math.sqrt(n);
  return result("Frequency (monobit), raw bits", statistic, erfc(statistic / Math.SQRT2), alpha, `${n} bits, ${ones} ones`);
}

/**
 * NIST SP 800-22 runs test: the number of runs of identical bits against its expectation. Bits are
 * read least significant first; `bitCount` limits the test to the first bits.
 */
export function runsTest(bytes: Uint8Array, alpha: number, bitCount = bytes.length * 8): TestResult {
  const n = bitCount;
  let ones = 0;
  for (let i = 0; i < n; i++) ones += bitAt(bytes, i);
  const pi = ones / n;
  let runs = 1;
  for (let i = 1; i < n; i++) if (bitAt(bytes, i) !== bitAt(bytes, i - 1)) runs++;
  const spread = 2 * Math.sqrt(2 * n) * pi * (1 - pi);
  const statistic = Math.abs(runs - 2 * n * pi * (1 - pi)) / spread;
  return result("Runs (NIST SP 800-22 2.3), raw bits", statistic, erfc(statistic), alpha, `${n} bits, ${runs} runs, expected ${(2 * n * pi * (1 - pi)).toFixed(0)}`);
}

/**
 * Lag-1 serial correlation coefficient of the bytes (as `ent` computes it, cyclic); under
 * independence it is approximately normal with mean -1/(n-1) and variance 1/n.
 */
export function serialCorrelationTest(bytes: Uint8Array, alpha: number): TestResult {
  const n = bytes.length;
  let sum = 0;
  let sumSquares = 0;
  let sumProducts = 0;
  for (let i = 0; i < n; i++) {
    const x = bytes[i]!;
    sum += x;
    sumSquares += x * x;
    sumProducts += x * bytes[(i + 1) % n]!;
  }
  const coefficient = (n * sumProducts - sum * sum) / (n * sumSquares - sum * sum);
  const z = (coefficient + 1 / (n - 1)) * Math.sqrt(n);
  return result("Serial correlation (lag 1), raw bytes", coefficient, twoSidedNormalP(z), alpha, `${n} bytes, z = ${z.toFixed(3)}`);
}

/** One-sample Kolmogorov-Smirnov test of values in [0, 1) against the uniform distribution. */
export function kolmogorovSmirnovUniform(name: string, values: Float64Array, alpha: number): TestResult {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const x = sorted[i]!;
    d = Math.max(d, (i + 1) / n - x, x - i / n);
  }
  const sqrtN = Math.sqrt(n);
  const lambda = (sqrtN + 0.12 + 0.11 / sqrtN) * d;
  return result(name, d, kolmogorovSurvival(lambda), alpha, `${n} values, D = ${d.toExponential(3)}`);
}

function kolmogorovSurvival(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, sum));
}

function popcount8(byte: number): number {
  let count = 0;
  for (let b = byte; b !== 0; b &= b - 1) count++;
  return count;
}
