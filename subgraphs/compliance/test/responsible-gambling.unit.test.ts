import {
  checkDeposit,
  checkStake,
  confirmLimitChange,
  requestLimitChange,
  selfExclusionUntil,
  timeOutUntil,
  windowStart,
  type DepositLimitState,
  type RgRules,
} from "../src/responsible-gambling.ts";

/** The GB figures of rule set version 1 (prisma/compliance/migrations/20261124090000_init). */
const rules: RgRules = {
  depositLimits: { increaseCoolingOffHours: 24, increaseRequiresConfirmation: true, source: "RTS 12" },
  timeOut: { anyPeriodUpTo: "P6W", source: "RTS 12 / guidance" },
  selfExclusion: { minimumMonths: 6, source: "LCCP SR 3.5.5" },
  slotStakeLimitMinor: { GBP: 500, age18to24GBP: 200, source: "DCMS / GC 2025" },
};
const now = new Date("2026-03-31T12:00:00Z");
const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
const limit = (amount: bigint | null, extra: Partial<DepositLimitState> = {}): DepositLimitState => ({
  period: "DAY",
  currency: "GBP",
  amount,
  pendingAmount: null,
  pendingRemoval: false,
  pendingRequestedAt: null,
  pendingConfirmableAt: null,
  ...extra,
});
const request = (amount: bigint | null, currency = "GBP") => ({ period: "DAY" as const, amount, currency });

describe("deposit limits (RTS 12)", () => {
  it("given no limit, when the player sets one, then it applies at once", () => {
    expect(requestLimitChange(undefined, request(10_000n), rules, now)).toMatchObject({ amount: 10_000n, pendingAmount: null });
  });

  it("given a limit, when the player lowers it, then the lower limit applies at once and any pending increase is dropped", () => {
    const current = limit(10_000n, { pendingAmount: 50_000n, pendingRequestedAt: now, pendingConfirmableAt: hours(24) });
    expect(requestLimitChange(current, request(5_000n), rules, now)).toMatchObject({ amount: 5_000n, pendingAmount: null, pendingConfirmableAt: null });
  });

  it("given a limit, when the player raises it, then the old limit stays in force and the increase waits 24 hours", () => {
    const next = requestLimitChange(limit(10_000n), request(20_000n), rules, now);
    expect(next).toMatchObject({ amount: 10_000n, pendingAmount: 20_000n, pendingRemoval: false, pendingRequestedAt: now, pendingConfirmableAt: hours(24) });
  });

  it("given a limit, when the player removes it, then the removal waits like an increase", () => {
    expect(requestLimitChange(limit(10_000n), request(null), rules, now)).toMatchObject({ amount: 10_000n, pendingRemoval: true, pendingConfirmableAt: hours(24) });
  });

  it("given a pending increase, when confirmed before the cooling-off ends, then it is refused with CONFLICT", () => {
    const pending = requestLimitChange(limit(10_000n), request(20_000n), rules, now);
    expect(() => confirmLimitChange(pending, hours(23.99))).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "CONFLICT" }) }));
  });

  it("given a pending increase, when confirmed after the cooling-off, then the higher limit applies", () => {
    const pending = requestLimitChange(limit(10_000n), request(20_000n), rules, now);
    expect(confirmLimitChange(pending, hours(24))).toMatchObject({ amount: 20_000n, pendingAmount: null });
  });

  it("given nothing pending, when confirming, then CONFLICT", () => {
    expect(() => confirmLimitChange(limit(10_000n), now)).toThrow(/no pending increase/);
  });

  it.each([
    ["zero", 0n, "GBP"],
    ["negative", -1n, "GBP"],
  ])("given a %s amount, when set, then BAD_USER_INPUT", (_name, amount, currency) => {
    expect(() => requestLimitChange(limit(10_000n), request(amount, currency), rules, now)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "amount" }) }));
  });

  it("given limits in GBP, when a limit in EUR is requested, then BAD_USER_INPUT on the currency", () => {
    expect(() => requestLimitChange(limit(10_000n), request(5_000n, "EUR"), rules, now)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: "currency" }) }));
  });

  it("given three limits, when a deposit fits the day and week but not the month, then the month refuses it and the tightest room is reported", () => {
    const limits = [limit(10_000n), limit(30_000n, { period: "WEEK" }), limit(40_000n, { period: "MONTH" })];
    const deposited = { DAY: 0n, WEEK: 20_000n, MONTH: 35_000n };
    expect(checkDeposit(limits, deposited, 6_000n)).toEqual({ allowed: false, exceededPeriod: "MONTH", remaining: 5_000n });
    expect(checkDeposit(limits, deposited, 5_000n)).toEqual({ allowed: true, exceededPeriod: null, remaining: 5_000n });
  });

  it("given no limits, when depositing any amount, then it is allowed with no remaining figure", () => {
    expect(checkDeposit([limit(null)], { DAY: 10n ** 12n, WEEK: 0n, MONTH: 0n }, 10n ** 12n)).toEqual({ allowed: true, exceededPeriod: null, remaining: null });
  });

  it("counts a calendar month back, clamped to the shorter month", () => {
    expect(windowStart("MONTH", now).toISOString()).toBe("2026-02-28T12:00:00.000Z");
    expect(windowStart("WEEK", now).toISOString()).toBe("2026-03-24T12:00:00.000Z");
    expect(windowStart("DAY", now).toISOString()).toBe("2026-03-30T12:00:00.000Z");
  });
});

describe("time-outs and self-exclusion", () => {
  it("given a request for 1 to 42 days, when taken, then it ends that many days from now", () => {
    expect(timeOutUntil(1, null, rules, now)).toEqual(hours(24));
    expect(timeOutUntil(42, null, rules, now)).toEqual(hours(42 * 24));
  });

  it.each([0, 43, 1.5])("given %p days, when taken, then BAD_USER_INPUT", (days) => {
    expect(() => timeOutUntil(days, null, rules, now)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: "days" }) }));
  });

  it("given a longer time-out in force, when a shorter one is taken, then the longer one stays", () => {
    expect(timeOutUntil(1, hours(24 * 7), rules, now)).toEqual(hours(24 * 7));
  });

  it("given fewer than 6 months, when self-excluding, then BAD_USER_INPUT citing the rule", () => {
    expect(() => selfExclusionUntil(5, null, rules, now)).toThrow(/at least 6 months \(LCCP SR 3.5.5\)/);
  });

  it("given 6 months from 31 March, then it ends on 30 September, and a shorter request never shortens it", () => {
    const until = selfExclusionUntil(6, null, rules, now);
    expect(until.toISOString()).toBe("2026-09-30T12:00:00.000Z");
    expect(selfExclusionUntil(6, new Date("2027-06-01T00:00:00Z"), rules, now).toISOString()).toBe("2027-06-01T00:00:00.000Z");
  });
});

describe("slot stake limits (DCMS / GC 2025)", () => {
  const born = (iso: string) => new Date(`${iso}T00:00:00Z`);

  it("given a player aged 30, then a slot stake up to 5 GBP is allowed", () => {
    expect(checkStake("SLOT", 500n, "GBP", born("1996-01-01"), rules, now)).toEqual({ allowed: true, maxStake: 500n });
    expect(checkStake("SLOT", 501n, "GBP", born("1996-01-01"), rules, now)).toEqual({ allowed: false, maxStake: 500n });
  });

  it("given a player aged 24 until the eve of their 25th birthday, then 2 GBP is the limit; from the birthday, 5 GBP", () => {
    expect(checkStake("SLOT", 201n, "GBP", born("2001-04-01"), rules, now)).toEqual({ allowed: false, maxStake: 200n });
    expect(checkStake("SLOT", 500n, "GBP", born("2001-03-31"), rules, now)).toEqual({ allowed: true, maxStake: 500n });
  });

  it("given a table game, then no slot limit applies", () => {
    expect(checkStake("TABLE", 100_000n, "GBP", born("2005-01-01"), rules, now)).toEqual({ allowed: true, maxStake: null });
  });

  it("given a currency the rule set has no figure for, then the slot stake is refused", () => {
    expect(checkStake("SLOT", 1n, "EUR", born("1990-01-01"), rules, now)).toEqual({ allowed: false, maxStake: 0n });
  });
});
