import {
  chiSquareCriticalValue,
  chiSquareSurvival,
  chiSquareUniformity,
  erfc,
  kolmogorovSmirnovUniform,
  lnGamma,
  monobitTest,
  runsTest,
  serialCorrelationTest,
  twoSidedNormalQuantile,
} from "../../src/rng/statistics.ts";

describe("distributions", () => {
  it("computes ln Γ", () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });

  it.each([
    // Published chi-square critical values (NIST/SEMATECH e-Handbook, table 1.3.6.7.4).
    [0.05, 1, 3.841],
    [0.01, 9, 21.666],
    [0.001, 9, 27.877],
    [0.01, 36, 58.619],
    [0.001, 100, 149.449],
  ])("gives the chi-square critical value at alpha %p, df %p as %p", (alpha, df, critical) => {
    expect(chiSquareCriticalValue(alpha, df)).toBeCloseTo(critical, 2);
    expect(chiSquareSurvival(critical, df)).toBeCloseTo(alpha, 4);
  });

  it("computes erfc and normal quantiles", () => {
    expect(erfc(0)).toBeCloseTo(1, 12);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 12);
    expect(erfc(-1)).toBeCloseTo(1.842700792949715, 12);
    expect(twoSidedNormalQuantile(0.01)).toBeCloseTo(2.5758, 4);
    expect(twoSidedNormalQuantile(0.001)).toBeCloseTo(3.2905, 4);
  });
});

describe("tests on fixed data", () => {
  it("passes an exactly uniform table and fails a lopsided one", () => {
    expect(chiSquareUniformity("even", [100, 100, 100], 0.01)).toMatchObject({ statistic: 0, pValue: 1, passed: true });
    expect(chiSquareUniformity("lopsided", [200, 100, 100], 0.01).passed).toBe(false);
  });

  it("reproduces the NIST SP 800-22 runs example (1001101011, p = 0.147232)", () => {
    // The example's 10 bits, least significant bit first in each byte: 0b01011001, 0b11.
    const nist = runsTest(Uint8Array.from([0b01011001, 0b11]), 0.01, 10);
    expect(nist.detail).toContain("10 bits, 7 runs");
    expect(nist.pValue).toBeCloseTo(0.147232, 6);
  });

  it("fails constant and alternating bit streams", () => {
    const zeros = new Uint8Array(10_000);
    expect(monobitTest(zeros, 0.01).passed).toBe(false);
    const alternating = new Uint8Array(10_000).fill(0b01010101);
    expect(monobitTest(alternating, 0.01).passed).toBe(true);
    expect(runsTest(alternating, 0.01).passed).toBe(false);
  });

  it("detects serial correlation in a slowly varying byte stream", () => {
    const ramp = Uint8Array.from({ length: 100_000 }, (_, i) => (i >> 4) & 0xff);
    const test = serialCorrelationTest(ramp, 0.01);
    expect(test.statistic).toBeGreaterThan(0.9);
    expect(test.passed).toBe(false);
  });

  it("computes the Kolmogorov-Smirnov statistic on an evenly spaced and a skewed sample", () => {
    const even = Float64Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);
    const evenTest = kolmogorovSmirnovUniform("even", even, 0.01);
    expect(evenTest.statistic).toBeCloseTo(0.0005, 12);
    expect(evenTest.passed).toBe(true);
    const skewed = Float64Array.from({ length: 1000 }, (_, i) => ((i + 0.5) / 1000) ** 2);
    expect(kolmogorovSmirnovUniform("skewed", skewed, 0.01).passed).toBe(false);
  });
});
