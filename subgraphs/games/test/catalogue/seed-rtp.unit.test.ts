import { Rational } from "../../src/proprietary/rational.ts";
import { rtpToBasisPoints } from "../../src/catalogue/seed.ts";

describe("an exact RTP in basis points", () => {
  it.each([
    [36n, 37n, 9730],
    [1n, 3n, 3333],
    [2n, 3n, 6667],
    [96065n, 100000n, 9607],
    [960649n, 1000000n, 9606],
    [1n, 1n, 10000],
    [0n, 1n, 0],
  ])("%i/%i is %i (rounded half up)", (numerator, denominator, expected) => {
    expect(rtpToBasisPoints(new Rational(numerator, denominator))).toBe(expected);
  });
});
