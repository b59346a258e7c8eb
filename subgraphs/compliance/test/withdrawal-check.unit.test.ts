import { decideWithdrawal, riskLevelOf, type WithdrawalFacts } from "../src/withdrawal-check.ts";
import type { MonitoringRules } from "../src/monitoring.ts";

const rules: MonitoringRules = {
  aml: {
    sourceOfFunds: { cumulativeDepositsMinor: { GBP: 200_000 }, rollingDays: 90, source: "s" },
    rapidCycle: { withdrawalShareOfDepositsPercent: 80, lookbackHours: 24, minimumDepositsMinor: { GBP: 10_000 }, source: "s" },
    structuring: { reportingThresholdMinor: { GBP: 100_000 }, bandLowerPercent: 90, minimumDeposits: 3, windowHours: 24, source: "s" },
    source: "s",
  },
};
const facts = (over: Partial<WithdrawalFacts> = {}): WithdrawalFacts => ({
  restrictionReasons: [],
  currency: "GBP",
  amountMinor: 1_000n,
  rules,
  sourceOfFundsDepositsMinor: 0n,
  rapidCycleDepositsMinor: 0n,
  sourceOfFundsCleared: false,
  blocked: false,
  openCaseKinds: [],
  adverseOutcome: false,
  ...over,
});

describe("decideWithdrawal", () => {
  it("never refuses or holds for a self-exclusion, a time-out or GAMSTOP", () => {
    const d = decideWithdrawal(facts({ restrictionReasons: ["SELF_EXCLUDED", "TIMED_OUT", "GAMSTOP_EXCLUDED", "GAMSTOP_NOT_CHECKED"] }));
    expect(d).toEqual({ allowed: true, reasons: [], reviewRequired: false, reviewReasons: [], riskLevel: "LOW" });
  });

  it("refuses when whom we pay is not known, and holds a blocked account or a jurisdiction without rules", () => {
    expect(decideWithdrawal(facts({ restrictionReasons: ["SELF_EXCLUDED", "AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED", "UNDER_MINIMUM_AGE", "WRONG_CURRENCY"] }))).toMatchObject({
      allowed: false,
      reasons: ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED", "UNDER_MINIMUM_AGE", "WRONG_CURRENCY"],
    });
    expect(decideWithdrawal(facts({ restrictionReasons: ["BLOCKED", "NO_RULE_SET"], blocked: true, rules: null }))).toEqual({
      allowed: true,
      reasons: [],
      reviewRequired: true,
      reviewReasons: ["BLOCKED", "NO_RULE_SET"],
      riskLevel: "HIGH",
    });
  });

  it("holds at the source-of-funds figure (exactly at it too) unless the evidence was accepted in the window", () => {
    expect(decideWithdrawal(facts({ sourceOfFundsDepositsMinor: 199_999n })).reviewRequired).toBe(false);
    expect(decideWithdrawal(facts({ sourceOfFundsDepositsMinor: 200_000n })).reviewReasons).toEqual(["AML_SOURCE_OF_FUNDS"]);
    expect(decideWithdrawal(facts({ sourceOfFundsDepositsMinor: 200_000n, sourceOfFundsCleared: true })).reviewRequired).toBe(false);
    // No figure for the currency: the rule does not run.
    expect(decideWithdrawal(facts({ currency: "EUR", sourceOfFundsDepositsMinor: 10_000_000n })).reviewRequired).toBe(false);
  });

  it("holds a withdrawal of at least 80 % of at least 100 GBP deposited in the lookback", () => {
    expect(decideWithdrawal(facts({ rapidCycleDepositsMinor: 10_000n, amountMinor: 8_000n })).reviewReasons).toEqual(["AML_RAPID_CYCLE"]);
    expect(decideWithdrawal(facts({ rapidCycleDepositsMinor: 10_000n, amountMinor: 7_999n })).reviewRequired).toBe(false);
    expect(decideWithdrawal(facts({ rapidCycleDepositsMinor: 9_999n, amountMinor: 9_999n })).reviewRequired).toBe(false);
  });
});

describe("riskLevelOf", () => {
  it("is HIGH for an open AML case, a block or an adverse outcome, MEDIUM for another open case about the player", () => {
    expect(riskLevelOf({ blocked: false, openCaseKinds: [], adverseOutcome: false })).toBe("LOW");
    expect(riskLevelOf({ blocked: false, openCaseKinds: ["RECONCILIATION_MISMATCH"], adverseOutcome: false })).toBe("LOW");
    expect(riskLevelOf({ blocked: false, openCaseKinds: ["FINANCIAL_VULNERABILITY"], adverseOutcome: false })).toBe("MEDIUM");
    expect(riskLevelOf({ blocked: false, openCaseKinds: ["OTHER", "AML_RAPID_CYCLE"], adverseOutcome: false })).toBe("HIGH");
    expect(riskLevelOf({ blocked: true, openCaseKinds: [], adverseOutcome: false })).toBe("HIGH");
    expect(riskLevelOf({ blocked: false, openCaseKinds: [], adverseOutcome: true })).toBe("HIGH");
  });
});
