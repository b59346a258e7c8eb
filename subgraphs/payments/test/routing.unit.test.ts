import { CircuitBreakers } from "../src/circuit-breaker.ts";
import { validateRouteInput } from "../src/route-table.ts";
import { DEFAULT_ROUTES, parseRoutes, routeCandidates } from "../src/routing.ts";

const everyone = () => true;
const req = (overrides: Partial<{ method: string; currency: string; country: string; amountMinor: bigint }> = {}) => ({ method: "card", currency: "GBP", country: "GB", amountMinor: 1000n, ...overrides });

describe("routing rules", () => {
  it("orders the PSPs of the first matching rule and never offers another method's PSP", () => {
    expect(routeCandidates(DEFAULT_ROUTES, everyone, req())).toEqual(["stripe", "nuvei"]);
    expect(routeCandidates(DEFAULT_ROUTES, everyone, req({ method: "bank_transfer" }))).toEqual(["trustly"]);
    expect(routeCandidates(DEFAULT_ROUTES, everyone, req({ method: "crypto" }))).toEqual([]);
    expect(routeCandidates(DEFAULT_ROUTES, (psp) => psp !== "stripe", req())).toEqual(["nuvei"]);
  });

  it("matches currency, country and amount range, in rule order", () => {
    const rules = parseRoutes(
      JSON.stringify([
        { method: "card", currencies: ["EUR"], countries: ["DE", "AT"], psps: ["nuvei"] },
        { method: "card", minMinor: "100000", psps: ["nuvei", "stripe"] },
        { method: "card", psps: ["stripe"] },
      ]),
    );
    expect(routeCandidates(rules, everyone, req({ currency: "EUR", country: "DE" }))).toEqual(["nuvei"]);
    expect(routeCandidates(rules, everyone, req({ currency: "EUR", country: "FR" }))).toEqual(["stripe"]);
    expect(routeCandidates(rules, everyone, req({ amountMinor: 100000n }))).toEqual(["nuvei", "stripe"]);
    expect(routeCandidates(rules, everyone, req({ amountMinor: 99999n }))).toEqual(["stripe"]);
  });

  it("splits volume by weight for the first choice and keeps the others as fallbacks", () => {
    const [rule] = parseRoutes(JSON.stringify([{ method: "card", psps: ["stripe", "nuvei"], weights: [70, 30] }]));
    expect(routeCandidates([rule!], everyone, req(), () => 0.69)).toEqual(["stripe", "nuvei"]);
    expect(routeCandidates([rule!], everyone, req(), () => 0.7)).toEqual(["nuvei", "stripe"]);
    let nuveiFirst = 0;
    for (let i = 0; i < 1000; i++) if (routeCandidates([rule!], everyone, req(), () => i / 1000)[0] === "nuvei") nuveiFirst += 1;
    expect(nuveiFirst).toBe(300);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    ["an unknown PSP", '[{"method":"card","psps":["paypal"]}]', /psps/],
    ["weights that do not match", '[{"method":"card","psps":["stripe"],"weights":[1,2]}]', /weights/],
    ["an unknown field", '[{"method":"card","psps":["stripe"],"risk":"low"}]', /risk|Unrecognized/],
    ["no rule", "[]", /./],
  ])("refuses routes with %s", (_case, json, message) => {
    expect(() => parseRoutes(json)).toThrow(message);
  });
});

describe("circuit breaker", () => {
  it("opens after the threshold of consecutive failures, lets one trial through after the open time, and closes on success", () => {
    let now = 0;
    const breakers = new CircuitBreakers<"stripe">({ failureThreshold: 3, openMs: 1000, now: () => now });
    breakers.failed("stripe");
    breakers.failed("stripe");
    expect(breakers.tryAcquire("stripe")).toBe(true);
    breakers.failed("stripe");
    expect(breakers.state("stripe")).toBe("OPEN");
    expect(breakers.tryAcquire("stripe")).toBe(false);
    now = 1000;
    expect(breakers.state("stripe")).toBe("HALF_OPEN");
    expect(breakers.tryAcquire("stripe")).toBe(true);
    expect(breakers.tryAcquire("stripe")).toBe(false);
    breakers.succeeded("stripe");
    expect(breakers.state("stripe")).toBe("CLOSED");
  });

  it("opens again at once when the half-open trial fails, and a success resets the count", () => {
    let now = 0;
    const breakers = new CircuitBreakers<"nuvei">({ failureThreshold: 2, openMs: 500, now: () => now });
    breakers.failed("nuvei");
    breakers.succeeded("nuvei");
    breakers.failed("nuvei");
    expect(breakers.state("nuvei")).toBe("CLOSED");
    breakers.failed("nuvei");
    expect(breakers.state("nuvei")).toBe("OPEN");
    now = 600;
    expect(breakers.tryAcquire("nuvei")).toBe(true);
    breakers.failed("nuvei");
    expect(breakers.state("nuvei")).toBe("OPEN");
    now = 1099;
    expect(breakers.tryAcquire("nuvei")).toBe(false);
  });
});

describe("routing on the player's risk level", () => {
  const rules = parseRoutes(
    JSON.stringify([
      { method: "card", riskLevels: ["HIGH"], psps: ["nuvei"] },
      { method: "card", riskLevels: ["LOW", "MEDIUM"], psps: ["stripe", "nuvei"] },
      { method: "card", psps: ["stripe"] },
    ]),
  );
  it("takes the rule for the player's level, and only rules without levels when compliance did not rate the player", () => {
    expect(routeCandidates(rules, everyone, { ...req(), riskLevel: "HIGH" })).toEqual(["nuvei"]);
    expect(routeCandidates(rules, everyone, { ...req(), riskLevel: "MEDIUM" })).toEqual(["stripe", "nuvei"]);
    expect(routeCandidates(rules, everyone, { ...req(), riskLevel: null })).toEqual(["stripe"]);
    expect(routeCandidates(rules, everyone, req())).toEqual(["stripe"]);
  });
});

describe("staff's routing rules", () => {
  const card = { method: "card", psps: ["stripe", "nuvei"] };
  it("are turned into rules: absent lists match anything, amounts are bigint", () => {
    expect(validateRouteInput([{ ...card, minMinor: "100", maxMinor: "5000", riskLevels: ["HIGH"], currencies: ["GBP"], weights: [3, 1] }])).toEqual([
      { method: "card", psps: ["stripe", "nuvei"], minMinor: 100n, maxMinor: 5000n, riskLevels: ["HIGH"], currencies: ["GBP"], weights: [3, 1] },
    ]);
    expect(validateRouteInput([{ ...card, currencies: null, countries: null, weights: null }])).toEqual([{ method: "card", psps: ["stripe", "nuvei"] }]);
  });

  it.each([
    ["no rule", [], "rules"],
    ["an unknown method", [{ method: "crypto", psps: ["stripe"] }], "rules.0.method"],
    ["an unknown PSP", [{ method: "card", psps: ["paypal"] }], "rules.0.psps.0"],
    ["a PSP that does not take the method", [{ method: "card", psps: ["stripe", "trustly"] }], "rules.0.psps.1"],
    ["a PSP twice", [{ method: "card", psps: ["stripe", "stripe"] }], "rules.0.psps"],
    ["weights that do not match", [{ ...card, weights: [1] }], "rules.0.weights"],
    ["a zero weight", [{ ...card, weights: [1, 0] }], "rules.0.weights.1"],
    ["a minimum above the maximum", [card, { ...card, minMinor: "500", maxMinor: "499" }], "rules.1.minMinor"],
    ["a decimal amount", [{ ...card, minMinor: "5.00" }], "rules.0.minMinor"],
    ["an empty list", [{ ...card, currencies: [] }], "rules.0.currencies"],
    ["an unknown currency", [{ ...card, currencies: ["XXX"] }], "rules.0.currencies.0"],
    ["a lower-case country", [{ ...card, countries: ["gb"] }], "rules.0.countries.0"],
    ["an unknown risk level", [{ ...card, riskLevels: ["EXTREME"] }], "rules.0.riskLevels.0"],
  ])("refuse %s, naming the field", (_case, input, field) => {
    expect(() => validateRouteInput(input)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field }) }));
  });
});
