import { assertAddressComplete, EMPTY_PROFILE, parseName, parsePostcode, parseProfileChanges } from "../src/profile.ts";

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: { code?: string; field?: string } }).extensions;
  }
  throw new Error("expected a BAD_USER_INPUT error");
};

describe("profile validation", () => {
  it.each([
    ["sw1a1aa", "GB", "SW1A 1AA"],
    ["  ec1a 1bb ", "GB", "EC1A 1BB"],
    ["M1 1AE", "GB", "M1 1AE"],
    ["je2 3ab", "JE", "JE2 3AB"],
    ["75008", "FR", "75008"],
    ["d02 x285", "IE", "D02 X285"],
  ])("normalises postcode %j in %s to %j", (raw, country, expected) => {
    expect(parsePostcode(raw, country)).toBe(expected);
  });

  it.each([
    ["12345", "GB"],
    ["SW1A", "GB"],
    ["SW1A 1AAA", "GB"],
    ["!!", "FR"],
  ])("refuses postcode %j in %s naming the field", (raw, country) => {
    expect(fieldOf(() => parsePostcode(raw, country))).toEqual({ code: "BAD_USER_INPUT", field: "postcode" });
  });

  it("trims names and collapses inner spaces; refuses digits, empty and over-long names", () => {
    expect(parseName("  Mary   Ó'Brien-Smith ", "lastName")).toBe("Mary Ó'Brien-Smith");
    expect(fieldOf(() => parseName("R2D2", "firstName"))).toEqual({ code: "BAD_USER_INPUT", field: "firstName" });
    expect(fieldOf(() => parseName("   ", "lastName"))).toEqual({ code: "BAD_USER_INPUT", field: "lastName" });
    expect(fieldOf(() => parseName("a".repeat(101), "lastName"))).toEqual({ code: "BAD_USER_INPUT", field: "lastName" });
  });

  it("leaves absent and null fields unchanged, and clears addressLine2 with an empty string", () => {
    expect(parseProfileChanges({ firstName: null, addressLine2: "  ", city: " London " }, "GB")).toEqual({ addressLine2: null, city: "London" });
  });

  it("wants line 1, city and postcode together", () => {
    expect(() => assertAddressComplete(EMPTY_PROFILE)).not.toThrow();
    expect(fieldOf(() => assertAddressComplete({ ...EMPTY_PROFILE, city: "London", postcode: "SW1A 1AA" }))).toEqual({ code: "BAD_USER_INPUT", field: "addressLine1" });
    expect(fieldOf(() => assertAddressComplete({ ...EMPTY_PROFILE, addressLine1: "1 High St", city: "London" }))).toEqual({ code: "BAD_USER_INPUT", field: "postcode" });
  });
});
