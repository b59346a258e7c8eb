import { randomUUID } from "node:crypto";
import {
  detectAll,
  detectFinancialVulnerability,
  detectRapidCycle,
  detectSourceOfFunds,
  detectStructuring,
  movementsNeededFrom,
  parseMonitoringRules,
  type MonitoringRules,
  type Movement,
} from "../src/monitoring.ts";
import { InvalidRuleSetError } from "../src/ruleset.ts";

/** The GB figures of rule set version 3 (prisma/compliance/migrations/20261129013000_gb_rule_set_v3_aml). */
const rules: MonitoringRules = {
  financialVulnerabilityCheck: { netDepositsThresholdMinor: { GBP: 15000 }, rollingDays: 30, source: "LCCP SR 3.4.4" },
  aml: {
    sourceOfFunds: { cumulativeDepositsMinor: { GBP: 200000 }, rollingDays: 90, source: "operator policy" },
    rapidCycle: { withdrawalShareOfDepositsPercent: 80, lookbackHours: 24, minimumDepositsMinor: { GBP: 10000 }, source: "operator policy" },
    structuring: { reportingThresholdMinor: { GBP: 100000 }, bandLowerPercent: 90, minimumDeposits: 3, windowHours: 24, source: "operator policy" },
    source: "operator policy",
  },
};
const now = new Date("2026-12-10T12:00:00Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(now.getTime() - ms);
const deposit = (amount: number, at: Date = now, currency = "GBP"): Movement => ({ transactionId: randomUUID(), direction: "DEPOSIT", currency, amount: BigInt(amount), occurredAt: at });
const withdrawal = (amount: number, at: Date = now): Movement => ({ transactionId: randomUUID(), direction: "WITHDRAWAL", currency: "GBP", amount: BigInt(amount), occurredAt: at });

describe("financial vulnerability (net deposits over 150 GBP in 30 days)", () => {
  it("given net deposits of 140 GBP, when a 10 GBP deposit takes them to exactly 150 GBP, then no case", () => {
    expect(detectFinancialVulnerability([deposit(14000, ago(DAY))], deposit(1000), rules, now)).toBeNull();
  });

  it("given net deposits of exactly 150 GBP, when 1p more is deposited, then a case with the figures and their source", () => {
    const trigger = deposit(1);
    const detection = detectFinancialVulnerability([deposit(15000, ago(DAY))], trigger, rules, now);
    expect(detection).toEqual({
      kind: "FINANCIAL_VULNERABILITY",
      windowStart: ago(30 * DAY),
      facts: expect.objectContaining({ netDepositsMinor: "15001", thresholdMinor: "15000", rollingDays: 30, triggeringTransactionId: trigger.transactionId, source: "LCCP SR 3.4.4" }),
    });
  });

  it("given paid withdrawals, when counting, then they are netted against deposits", () => {
    const history = [deposit(20000, ago(3 * DAY)), withdrawal(10000, ago(2 * DAY))];
    expect(detectFinancialVulnerability(history, deposit(5000), rules, now)).toBeNull();
    expect(detectFinancialVulnerability(history, deposit(5001), rules, now)?.facts).toMatchObject({ netDepositsMinor: "15001", paidWithdrawalsMinor: "10000", depositsMinor: "25001" });
  });

  it("given net deposits already over the threshold, when another deposit comes, then no second crossing", () => {
    expect(detectFinancialVulnerability([deposit(16000, ago(DAY))], deposit(100), rules, now)).toBeNull();
  });

  it("given a deposit exactly 30 days old, when counting, then it is outside the window; 1 ms younger, inside", () => {
    expect(detectFinancialVulnerability([deposit(10000, ago(30 * DAY))], deposit(10000), rules, now)).toBeNull();
    expect(detectFinancialVulnerability([deposit(10000, ago(30 * DAY - 1))], deposit(10000), rules, now)).not.toBeNull();
  });

  it("given a withdrawal or a currency the rule set has no figure for, when checking, then no case", () => {
    expect(detectFinancialVulnerability([deposit(20000, ago(DAY))], withdrawal(1), rules, now)).toBeNull();
    expect(detectFinancialVulnerability([], deposit(999999, now, "EUR"), rules, now)).toBeNull();
  });
});

describe("AML source of funds (deposits reaching 2,000 GBP in 90 days)", () => {
  it("given 1,900 GBP deposited, when 99.99 GBP more is deposited, then no case", () => {
    expect(detectSourceOfFunds([deposit(190000, ago(10 * DAY))], deposit(9999), rules, now)).toBeNull();
  });

  it("given 1,900 GBP deposited, when exactly 100 GBP more takes the total to 2,000 GBP, then a case", () => {
    expect(detectSourceOfFunds([deposit(190000, ago(10 * DAY))], deposit(10000), rules, now)).toMatchObject({
      kind: "AML_SOURCE_OF_FUNDS",
      windowStart: ago(90 * DAY),
      facts: { cumulativeDepositsMinor: "200000", thresholdMinor: "200000", rollingDays: 90 },
    });
  });

  it("given withdrawals in between, when counting, then deposits are not netted", () => {
    expect(detectSourceOfFunds([deposit(150000, ago(5 * DAY)), withdrawal(100000, ago(4 * DAY))], deposit(50000), rules, now)).not.toBeNull();
  });

  it("given the total already at 2,000 GBP, when more is deposited, then no second crossing", () => {
    expect(detectSourceOfFunds([deposit(200000, ago(DAY))], deposit(1), rules, now)).toBeNull();
  });

  it("given deposits 90 days old, when counting, then they are outside the window", () => {
    expect(detectSourceOfFunds([deposit(190000, ago(90 * DAY))], deposit(10000), rules, now)).toBeNull();
  });
});

describe("AML rapid cycle (a paid withdrawal of at least 80 % of the deposits of the 24 hours before it)", () => {
  it("given 100 GBP deposited 23 hours ago, when 80 GBP is paid out, then a case; 79.99 GBP, none", () => {
    const history = [deposit(10000, ago(23 * HOUR))];
    expect(detectRapidCycle(history, withdrawal(7999), rules, now)).toBeNull();
    expect(detectRapidCycle(history, withdrawal(8000), rules, now)).toMatchObject({
      kind: "AML_RAPID_CYCLE",
      windowStart: ago(24 * HOUR),
      facts: { depositsMinor: "10000", withdrawalShareOfDepositsPercent: 80, withdrawal: { amountMinor: "8000" } },
    });
  });

  it("given a deposit exactly 24 hours before the withdrawal, when checking, then it counts; 1 ms earlier, it does not", () => {
    expect(detectRapidCycle([deposit(10000, ago(24 * HOUR))], withdrawal(10000), rules, now)).not.toBeNull();
    expect(detectRapidCycle([deposit(10000, ago(24 * HOUR + 1))], withdrawal(10000), rules, now)).toBeNull();
  });

  it("given deposits below the 100 GBP minimum, when all is paid out, then no case; at exactly the minimum, a case", () => {
    expect(detectRapidCycle([deposit(9999, ago(HOUR))], withdrawal(9999), rules, now)).toBeNull();
    expect(detectRapidCycle([deposit(10000, ago(HOUR))], withdrawal(10000), rules, now)).not.toBeNull();
  });

  it("given a withdrawal with no deposits before it, when checking, then no case", () => {
    expect(detectRapidCycle([deposit(50000, ago(2 * DAY))], withdrawal(50000), rules, now)).toBeNull();
  });

  it("given a deposit event processed after its withdrawal's, when the deposit is the trigger, then the cycle is still seen", () => {
    const paidOut = withdrawal(9000, now);
    expect(detectRapidCycle([paidOut], deposit(10000, ago(2 * HOUR)), rules, now)?.facts).toMatchObject({ withdrawal: { transactionId: paidOut.transactionId } });
  });
});

describe("AML structuring (3 deposits within 24 hours each 90-100 % of the 1,000 GBP threshold)", () => {
  it("given two deposits of exactly 900 GBP, when a third comes within 24 hours, then a case listing the three", () => {
    const history = [deposit(90000, ago(20 * HOUR)), deposit(90000, ago(10 * HOUR))];
    const detection = detectStructuring(history, deposit(90000), rules, now);
    expect(detection).toMatchObject({ kind: "AML_STRUCTURING", windowStart: ago(20 * HOUR), facts: { bandFromMinor: "90000", reportingThresholdMinor: "100000" } });
    expect((detection?.facts.deposits as unknown[]).length).toBe(3);
  });

  it("given deposits of 899.99 GBP, when three come within 24 hours, then they are below the band and no case", () => {
    expect(detectStructuring([deposit(89999, ago(2 * HOUR)), deposit(89999, ago(HOUR))], deposit(89999), rules, now)).toBeNull();
  });

  it("given deposits of 999.99 GBP, when three come, then a case; at exactly 1,000 GBP they reach the threshold and are not structuring", () => {
    expect(detectStructuring([deposit(99999, ago(2 * HOUR)), deposit(99999, ago(HOUR))], deposit(99999), rules, now)).not.toBeNull();
    expect(detectStructuring([deposit(100000, ago(2 * HOUR)), deposit(100000, ago(HOUR))], deposit(100000), rules, now)).toBeNull();
  });

  it("given the first deposit exactly 24 hours before the third, when checking, then they are not within 24 hours; 1 ms later, they are", () => {
    expect(detectStructuring([deposit(95000, ago(24 * HOUR)), deposit(95000, ago(HOUR))], deposit(95000), rules, now)).toBeNull();
    expect(detectStructuring([deposit(95000, ago(24 * HOUR - 1)), deposit(95000, ago(HOUR))], deposit(95000), rules, now)).not.toBeNull();
  });

  it("given only two deposits in the band, when checking, then no case", () => {
    expect(detectStructuring([deposit(95000, ago(HOUR))], deposit(95000), rules, now)).toBeNull();
  });

  it("given three in-band deposits, when the trigger itself is outside the band, then no case", () => {
    expect(detectStructuring([deposit(95000, ago(3 * HOUR)), deposit(95000, ago(2 * HOUR)), deposit(95000, ago(HOUR))], deposit(5000), rules, now)).toBeNull();
  });
});

describe("all detections together", () => {
  it("given one deposit that crosses both the financial vulnerability and source-of-funds figures, when checking, then both cases", () => {
    expect(detectAll([], deposit(200000), rules, now).map((d) => d.kind)).toEqual(["FINANCIAL_VULNERABILITY", "AML_SOURCE_OF_FUNDS"]);
  });

  it("given a rule set without an aml group, when checking, then only the financial vulnerability check runs", () => {
    const { aml: _aml, ...withoutAml } = rules;
    expect(detectAll([], deposit(200000), withoutAml, now).map((d) => d.kind)).toEqual(["FINANCIAL_VULNERABILITY"]);
  });

  it("loads movements from the longest window any detection reads", () => {
    expect(movementsNeededFrom(deposit(1), rules, now)).toEqual(ago(90 * DAY));
  });
});

describe("reading the monitoring figures from a rule set", () => {
  it("given the GB version 3 JSON, when parsed, then the figures come back as configured", () => {
    expect(parseMonitoringRules({ jurisdiction: "GB", version: 3, effectiveFrom: now, rules })).toEqual(rules);
  });

  it("given a malformed figure, when parsed, then an InvalidRuleSetError naming it", () => {
    const broken = { ...rules, aml: { ...rules.aml, structuring: { ...rules.aml!.structuring, bandLowerPercent: 100 } } };
    expect(() => parseMonitoringRules({ jurisdiction: "GB", version: 9, effectiveFrom: now, rules: broken })).toThrow(InvalidRuleSetError);
    expect(() => parseMonitoringRules({ jurisdiction: "GB", version: 9, effectiveFrom: now, rules: broken })).toThrow(/aml\.structuring\.bandLowerPercent/);
  });
});
