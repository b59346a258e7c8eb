import { ageInYears, decide, notYetAssessed, type RestrictionState } from "../src/restrictions.ts";
import type { DecisionRules } from "../src/ruleset.ts";

const NOW = new Date("2026-11-24T12:00:00Z");

/** UKGC figures as the seeded rule set carries them. */
const UKGC: DecisionRules = {
  minimumAge: { years: 18, source: "Gambling Act 2005 ss. 45-47" },
  ageAndIdentityVerification: { requiredBeforeDeposit: true, requiredBeforePlay: true, source: "LCCP, from 7 May 2019" },
  selfExclusion: { gamstopParticipationRequired: true, source: "LCCP SR 3.5.5" },
};

/** A verified adult with nothing against them; each test changes one thing. */
const verifiedAdult = (overrides: Partial<RestrictionState> = {}): RestrictionState => ({
  dateOfBirth: new Date("1990-04-23T00:00:00Z"),
  ageVerified: true,
  identityVerified: true,
  selfExcludedUntil: null,
  timedOutUntil: null,
  blocked: false,
  gamstopStatus: "CLEAR",
  ...overrides,
});

describe("decide", () => {
  it("given a verified adult with no restriction, then deposit and play are allowed", () => {
    expect(decide(verifiedAdult(), UKGC, NOW)).toEqual({ canDeposit: true, canPlay: true, reasons: [] });
  });

  it("given a newly registered player, when age and identity are not verified, then neither deposit nor play (LCCP 2019)", () => {
    const state = verifiedAdult({ ageVerified: false, identityVerified: false });
    expect(decide(state, UKGC, NOW)).toEqual({
      canDeposit: false,
      canPlay: false,
      reasons: ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"],
    });
  });

  it("given age verified but identity not, then nothing is allowed and the reason says identity", () => {
    expect(decide(verifiedAdult({ identityVerified: false }), UKGC, NOW)).toEqual({
      canDeposit: false,
      canPlay: false,
      reasons: ["IDENTITY_NOT_VERIFIED"],
    });
  });

  it("given rules that require verification before deposit only, then an unverified player may play but not deposit", () => {
    const depositOnly: DecisionRules = {
      ...UKGC,
      ageAndIdentityVerification: { requiredBeforeDeposit: true, requiredBeforePlay: false, source: "test" },
    };
    expect(decide(verifiedAdult({ ageVerified: false }), depositOnly, NOW)).toEqual({
      canDeposit: false,
      canPlay: true,
      reasons: ["AGE_NOT_VERIFIED"],
    });
  });

  it("given a player one day short of the minimum age, then UNDER_MINIMUM_AGE; on the birthday, allowed", () => {
    const dateOfBirth = new Date("2008-11-25T00:00:00Z");
    expect(decide(verifiedAdult({ dateOfBirth }), UKGC, NOW)).toEqual({
      canDeposit: false,
      canPlay: false,
      reasons: ["UNDER_MINIMUM_AGE"],
    });
    expect(decide(verifiedAdult({ dateOfBirth }), UKGC, new Date("2026-11-25T00:00:00Z")).reasons).toEqual([]);
  });

  it("given a self-exclusion running, then SELF_EXCLUDED until the instant it ends", () => {
    const state = verifiedAdult({ selfExcludedUntil: new Date("2027-05-24T12:00:00Z") });
    expect(decide(state, UKGC, NOW)).toEqual({ canDeposit: false, canPlay: false, reasons: ["SELF_EXCLUDED"] });
    expect(decide(state, UKGC, new Date("2027-05-24T12:00:00Z"))).toEqual({ canDeposit: true, canPlay: true, reasons: [] });
  });

  it("given a time-out running, then TIMED_OUT until the instant it ends", () => {
    const state = verifiedAdult({ timedOutUntil: new Date("2026-11-25T12:00:00Z") });
    expect(decide(state, UKGC, NOW)).toEqual({ canDeposit: false, canPlay: false, reasons: ["TIMED_OUT"] });
    expect(decide(state, UKGC, new Date("2026-11-25T12:00:00Z")).reasons).toEqual([]);
  });

  it("given a blocked player, then BLOCKED", () => {
    expect(decide(verifiedAdult({ blocked: true }), UKGC, NOW)).toEqual({ canDeposit: false, canPlay: false, reasons: ["BLOCKED"] });
  });

  it("given a jurisdiction with no rule set in force, then NO_RULE_SET: nothing can be shown to be allowed", () => {
    expect(decide(verifiedAdult(), null, NOW)).toEqual({ canDeposit: false, canPlay: false, reasons: ["NO_RULE_SET"] });
  });

  it("given several restrictions at once, then every reason is listed", () => {
    const state = verifiedAdult({
      blocked: true,
      selfExcludedUntil: new Date("2027-06-01T00:00:00Z"),
      timedOutUntil: new Date("2026-12-01T00:00:00Z"),
      ageVerified: false,
    });
    expect(decide(state, UKGC, NOW).reasons).toEqual(["BLOCKED", "SELF_EXCLUDED", "TIMED_OUT", "AGE_NOT_VERIFIED"]);
  });
});

describe("notYetAssessed", () => {
  it("given no restrictions row yet, then the answer fails closed", () => {
    expect(notYetAssessed()).toEqual({ canDeposit: false, canPlay: false, reasons: ["NOT_YET_ASSESSED"] });
  });
});

describe("ageInYears", () => {
  it("given a birthday on 29 February, then the year is completed on 1 March in a common year", () => {
    const dateOfBirth = new Date("2008-02-29T00:00:00Z");
    expect(ageInYears(dateOfBirth, new Date("2026-02-28T23:59:59Z"))).toBe(17);
    expect(ageInYears(dateOfBirth, new Date("2026-03-01T00:00:00Z"))).toBe(18);
  });

  it.each([
    ["EXCLUDED", "GAMSTOP_EXCLUDED"],
    ["NOT_CHECKED", "GAMSTOP_NOT_CHECKED"],
    ["UNAVAILABLE", "GAMSTOP_UNAVAILABLE"],
  ] as const)("given GAMSTOP participation is required and the check is %s, then neither deposit nor play (%s)", (status, reason) => {
    expect(decide(verifiedAdult({ gamstopStatus: status }), UKGC, NOW)).toEqual({ canDeposit: false, canPlay: false, reasons: [reason] });
  });

  it("given a jurisdiction without GAMSTOP, then an unchecked player is not held back by it", () => {
    const { selfExclusion: _gamstop, ...elsewhere } = UKGC;
    expect(decide(verifiedAdult({ gamstopStatus: "NOT_CHECKED" }), elsewhere, NOW)).toEqual({ canDeposit: true, canPlay: true, reasons: [] });
  });
});
