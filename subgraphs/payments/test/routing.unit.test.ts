import { CircuitBreakers } from "../src/circuit-breaker.ts";
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
