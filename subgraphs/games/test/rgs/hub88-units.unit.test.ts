import { hub88ToMinor, minorToHub88 } from "../../src/rgs/hub88/units.ts";

describe("Hub88 units (1/100000) and wallet minor units", () => {
  it("converts exactly for currencies of 2, 0 and 3 decimals", () => {
    expect(hub88ToMinor(356_000n, "GBP")).toBe(356n);
    expect(hub88ToMinor(100_000n, "JPY")).toBe(1n);
    expect(hub88ToMinor(1_234_500n, "KWD")).toBe(12_345n);
    expect(minorToHub88(356n, "GBP")).toBe(356_000n);
    expect(minorToHub88(7n, "JPY")).toBe(700_000n);
    expect(minorToHub88(12_345n, "BHD")).toBe(1_234_500n);
  });

  it("refuses amounts that are no whole number of minor units, and unknown currencies", () => {
    expect(hub88ToMinor(356_001n, "GBP")).toBeNull();
    expect(hub88ToMinor(150_000n, "JPY")).toBeNull();
    expect(hub88ToMinor(1_000n, "XXX")).toBeNull();
  });

  it("keeps amounts beyond 2^53 exact", () => {
    const minor = 9_007_199_254_740_993n;
    expect(hub88ToMinor(minorToHub88(minor, "GBP"), "GBP")).toBe(minor);
  });

  it("round-trips every minor amount", () => {
    for (let minor = 0n; minor < 2_000n; minor += 7n) expect(hub88ToMinor(minorToHub88(minor, "EUR"), "EUR")).toBe(minor);
  });
});
