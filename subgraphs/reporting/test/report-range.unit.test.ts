import { MAX_RANGE_DAYS, parseReportRange } from "../src/report-range.ts";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { extensions?: { code?: string; field?: string } }).extensions;
  }
  throw new Error("expected the range to be refused");
};

describe("parseReportRange", () => {
  it("given an inclusive range of calendar dates, then it is UTC midnights", () => {
    expect(parseReportRange("2026-11-01", "2026-11-24")).toEqual({
      from: new Date("2026-11-01T00:00:00Z"),
      to: new Date("2026-11-24T00:00:00Z"),
    });
  });

  it("given one day, then from and to are the same date", () => {
    const range = parseReportRange("2026-11-24", "2026-11-24");
    expect(range.from).toEqual(range.to);
  });

  it(`given exactly ${MAX_RANGE_DAYS} days, then it is accepted; one more is bad input`, () => {
    expect(parseReportRange("2024-01-01", "2024-12-31").to).toEqual(new Date("2024-12-31T00:00:00Z"));
    expect(codeOf(() => parseReportRange("2024-01-01", "2025-01-01"))).toEqual({ code: "BAD_USER_INPUT", field: "to" });
  });

  it("given from after to, then bad input on from", () => {
    expect(codeOf(() => parseReportRange("2026-11-25", "2026-11-24"))).toEqual({ code: "BAD_USER_INPUT", field: "from" });
  });

  it.each(["2026-02-30", "2026-1-01", "26-01-01", "2026-01-01T00:00:00Z", ""])("given the date %p, then bad input", (raw) => {
    expect(codeOf(() => parseReportRange(raw, "2026-12-31"))).toEqual({ code: "BAD_USER_INPUT", field: "from" });
    expect(codeOf(() => parseReportRange("2026-01-01", raw))).toEqual({ code: "BAD_USER_INPUT", field: "to" });
  });
});
