import { InvalidRuleSetError, parseDecisionRules, ruleSetInForce, type RuleSetVersion } from "../src/ruleset.ts";

const version = (jurisdiction: string, n: number, effectiveFrom: string): RuleSetVersion & { id: string } => ({
  id: `${jurisdiction}-v${n}`,
  jurisdiction,
  version: n,
  effectiveFrom: new Date(effectiveFrom),
});

describe("ruleSetInForce", () => {
  const gb1 = version("GB", 1, "2025-05-21T00:00:00Z");
  const gb2 = version("GB", 2, "2025-12-19T00:00:00Z");

  it("given two versions, when asked the instant before the second's date, then the first applies", () => {
    expect(ruleSetInForce([gb1, gb2], "GB", new Date("2025-12-18T23:59:59.999Z"))).toBe(gb1);
  });

  it("given two versions, when asked at the second's effective instant, then the second applies", () => {
    expect(ruleSetInForce([gb1, gb2], "GB", new Date("2025-12-19T00:00:00.000Z"))).toBe(gb2);
  });

  it("given a version loaded ahead of its date, when the injected clock reaches that date, then it applies by itself", () => {
    const gb3 = version("GB", 3, "2027-01-01T00:00:00Z");
    let clock = new Date("2026-11-24T09:00:00Z");
    const now = () => clock;
    const loaded = [gb3, gb1, gb2];

    expect(ruleSetInForce(loaded, "GB", now())).toBe(gb2);
    clock = new Date("2026-12-31T23:59:59.999Z");
    expect(ruleSetInForce(loaded, "GB", now())).toBe(gb2);
    clock = new Date("2027-01-01T00:00:00Z");
    expect(ruleSetInForce(loaded, "GB", now())).toBe(gb3);
  });

  it("given several versions in force, when selecting, then the highest version wins whatever the input order", () => {
    const shuffled = [gb2, gb1];
    expect(ruleSetInForce(shuffled, "GB", new Date("2026-01-01T00:00:00Z"))).toBe(gb2);
  });

  it("given versions of several jurisdictions, when selecting, then only the asked jurisdiction's versions count", () => {
    const mt1 = version("MT", 1, "2020-01-01T00:00:00Z");
    expect(ruleSetInForce([gb1, mt1], "MT", new Date("2026-01-01T00:00:00Z"))).toBe(mt1);
    expect(ruleSetInForce([gb1, mt1], "DE", new Date("2026-01-01T00:00:00Z"))).toBeUndefined();
  });

  it("given a jurisdiction whose first version starts later, when asked before it, then none is in force", () => {
    expect(ruleSetInForce([gb1, gb2], "GB", new Date("2025-05-20T23:59:59.999Z"))).toBeUndefined();
  });
});

describe("parseDecisionRules", () => {
  const ruleSet = (rules: unknown) => ({ ...version("GB", 7, "2025-01-01T00:00:00Z"), rules });

  it("given rules with the age and verification figures, when parsed, then the decision reads them", () => {
    const rules = parseDecisionRules(
      ruleSet({
        minimumAge: { years: 18, source: "Gambling Act 2005 ss. 45-47" },
        ageAndIdentityVerification: { requiredBeforeDeposit: true, requiredBeforePlay: true, source: "LCCP, from 7 May 2019" },
        slotStakeLimitMinor: { GBP: 500, source: "DCMS / GC 2025" },
      }),
    );
    expect(rules).toEqual({
      minimumAge: { years: 18, source: "Gambling Act 2005 ss. 45-47" },
      ageAndIdentityVerification: { requiredBeforeDeposit: true, requiredBeforePlay: true, source: "LCCP, from 7 May 2019" },
    });
  });

  it("given rules without a source or with a figure of the wrong type, when parsed, then a typed error names each problem", () => {
    const parse = () =>
      parseDecisionRules(
        ruleSet({
          minimumAge: { years: "18" },
          ageAndIdentityVerification: { requiredBeforeDeposit: true, requiredBeforePlay: true, source: "LCCP" },
        }),
      );
    expect(parse).toThrow(InvalidRuleSetError);
    expect(parse).toThrow(/GB v7 is invalid: minimumAge\.years: .*; minimumAge\.source: /);
  });
});
