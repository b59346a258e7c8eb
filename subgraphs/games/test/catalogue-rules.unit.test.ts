import { formatRtp, parseCategories, parseJurisdictions, parseProtocol, parseStakeLimits } from "../src/catalogue/rules.ts";

const badInputOn = (field: string) => expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field }) });

describe("formatRtp", () => {
  it.each([
    [0, "0.00"],
    [1, "0.01"],
    [99, "0.99"],
    [100, "1.00"],
    [9650, "96.50"],
    [9999, "99.99"],
    [10000, "100.00"],
  ])("gives %i basis points as %s, exactly", (basisPoints, expected) => {
    expect(formatRtp(basisPoints)).toBe(expected);
  });
});

describe("parseStakeLimits", () => {
  it("gives both limits in minor units of one currency", () => {
    expect(parseStakeLimits({ amount: "0.1", currency: "eur" }, { amount: "250", currency: "EUR" })).toEqual({
      minStakeMinor: 10n,
      maxStakeMinor: 25_000n,
      stakeCurrency: "EUR",
    });
  });

  it("respects the currency's exponent", () => {
    expect(parseStakeLimits({ amount: "10", currency: "JPY" }, { amount: "10", currency: "JPY" })).toMatchObject({ minStakeMinor: 10n, maxStakeMinor: 10n });
    expect(() => parseStakeLimits({ amount: "0.5", currency: "JPY" }, { amount: "10", currency: "JPY" })).toThrow(badInputOn("minStake.amount"));
  });

  it.each([
    [{ amount: "0.00", currency: "GBP" }, { amount: "1.00", currency: "GBP" }, "minStake.amount"],
    [{ amount: "-1.00", currency: "GBP" }, { amount: "1.00", currency: "GBP" }, "minStake.amount"],
    [{ amount: "2.00", currency: "GBP" }, { amount: "1.99", currency: "GBP" }, "maxStake.amount"],
    [{ amount: "1.00", currency: "GBP" }, { amount: "2.00", currency: "USD" }, "maxStake.currency"],
    [{ amount: "1.00", currency: "BTC" }, { amount: "2.00", currency: "BTC" }, "minStake.currency"],
  ])("refuses %j .. %j on %s", (min, max, field) => {
    expect(() => parseStakeLimits(min, max)).toThrow(badInputOn(field));
  });
});

describe("parseJurisdictions", () => {
  it("upper-cases, de-duplicates and sorts ISO 3166-1 alpha-2 codes", () => {
    expect(parseJurisdictions(["se", " GB ", "mt", "gb"])).toEqual(["GB", "MT", "SE"]);
  });

  it.each([[["UK"]], [["GBR"]], [["ZZ"]], [[]]])("refuses %j", (codes) => {
    expect(() => parseJurisdictions(codes)).toThrow(badInputOn("jurisdictions"));
  });
});

describe("parseCategories", () => {
  it("lower-cases, de-duplicates and sorts slugs; none is an empty list", () => {
    expect(parseCategories(["Live", "table-games", "live"])).toEqual(["live", "table-games"]);
    expect(parseCategories(null)).toEqual([]);
  });

  it("refuses more than 20 categories", () => {
    expect(() => parseCategories(Array.from({ length: 21 }, (_, i) => `cat-${i}`))).toThrow(badInputOn("categories"));
  });
});

describe("parseProtocol", () => {
  it("requires a protocol from remote providers and refuses one for proprietary games", () => {
    expect(parseProtocol(" hub88 ", "AGGREGATOR")).toBe("hub88");
    expect(parseProtocol(null, "PROPRIETARY")).toBeNull();
    expect(parseProtocol("", "PROPRIETARY")).toBeNull();
    expect(() => parseProtocol(undefined, "DIRECT")).toThrow(badInputOn("protocol"));
    expect(() => parseProtocol("hub88", "PROPRIETARY")).toThrow(badInputOn("protocol"));
  });
});
