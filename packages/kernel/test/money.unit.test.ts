import fc from "fast-check";
import { GraphQLError } from "graphql";
import { INT64_MAX, formatMoney, parseMoney } from "../src/money.ts";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof GraphQLError ? err.extensions.code : "not a GraphQLError";
  }
  return "no error";
};

describe("parseMoney", () => {
  it("reads major-unit decimals into exact minor units", () => {
    expect(parseMoney("12.50", "GBP")).toEqual({ minor: 1250n, currency: "GBP" });
    expect(parseMoney("12.5", "GBP").minor).toBe(1250n);
    expect(parseMoney("-0.01", "EUR").minor).toBe(-1n);
    expect(parseMoney("1000", "JPY").minor).toBe(1000n);
    expect(parseMoney("1.234", "BHD").minor).toBe(1234n);
  });

  it.each([
    ["fractional minor units", "1.005", "GBP"],
    ["a float in exponent form", "1e3", "GBP"],
    ["empty", "", "GBP"],
    ["spaces", " 1.00", "GBP"],
    ["decimals on a zero-exponent currency", "1.5", "JPY"],
    ["beyond 64 bits", "92233720368547758.08", "GBP"],
    ["unknown currency", "1.00", "XXX"],
    ["lower-case currency", "1.00", "gbp"],
  ])("refuses %s", (_label, amount, currency) => {
    expect(codeOf(() => parseMoney(amount, currency))).toBe("BAD_USER_INPUT");
  });

  it("accepts the largest 64-bit amount", () => {
    expect(parseMoney("92233720368547758.07", "GBP").minor).toBe(INT64_MAX);
  });
});

describe("formatMoney", () => {
  it("prints exact decimals", () => {
    expect(formatMoney(1250n, "GBP")).toBe("12.50");
    expect(formatMoney(5n, "GBP")).toBe("0.05");
    expect(formatMoney(-5n, "GBP")).toBe("-0.05");
    expect(formatMoney(7n, "JPY")).toBe("7");
    expect(formatMoney(1n, "KWD")).toBe("0.001");
  });

  it("round-trips every 64-bit amount through parseMoney", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -INT64_MAX, max: INT64_MAX }), fc.constantFrom("GBP", "JPY", "BHD"), (minor, currency) => {
        expect(parseMoney(formatMoney(minor, currency), currency).minor).toBe(minor);
      }),
    );
  });
});
