import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";
import { playerRegisteredEvent, waitUntilScreened } from "./support/player-registered-event.ts";
import { waitUntil } from "@casino/kernel/testing/wait-until";

let clock = new Date("2026-11-24T09:00:00Z");
let svc: TestService<PrismaClient>;
let complianceStaff: string;
let kycStaff: string;
let financeStaff: string;

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }));
  complianceStaff = await svc.tokens.staff(["compliance"]);
  kycStaff = await svc.tokens.staff(["kyc"]);
  financeStaff = await svc.tokens.staff(["finance"]);
});
afterAll(async () => {
  await svc.stop();
});

/** Publishes the registration and waits until compliance has stored the player's restrictions. */
async function registerPlayer(overrides: Parameters<typeof playerRegisteredEvent>[0] = {}) {
  const event = playerRegisteredEvent(overrides);
  await svc.runtime.bus.publish([event]);
  await waitUntilScreened(svc.runtime.prisma, event.payload.playerId);
  return event;
}

const RESTRICTIONS_OF_PLAYER = `query($playerId: ID!) {
  restrictionsOfPlayer(playerId: $playerId) {
    playerId canDeposit canPlay reasons jurisdiction ageVerified identityVerified selfExcludedUntil timedOutUntil updatedAt
  }
}`;
const PLAYER_RESTRICTIONS_ENTITY = `query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on Player { id restrictions { playerId canDeposit canPlay reasons jurisdiction } } }
}`;
const RESTRICTIONS_ENTITY = `query($reps: [_Any!]!) {
  _entities(representations: $reps) { ... on PlayerRestrictions { playerId canPlay reasons } }
}`;
const RULE_SETS = `query($jurisdiction: String) {
  ruleSets(jurisdiction: $jurisdiction) { id jurisdiction version effectiveFrom rules active }
}`;

type RuleSetResult = { id: string; jurisdiction: string; version: number; effectiveFrom: string; rules: string; active: boolean };
type Restrictions = { playerId: string; canDeposit: boolean; canPlay: boolean; reasons: string[]; jurisdiction: string };

describe("player.registered", () => {
  it("opens restrictive restrictions in the player's country and records the decision in the outbox", async () => {
    const { payload } = await registerPlayer();

    const res = await svc.graphql<{ restrictionsOfPlayer: Restrictions & Record<string, unknown> }>(
      RESTRICTIONS_OF_PLAYER,
      { playerId: payload.playerId },
      kycStaff,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.restrictionsOfPlayer).toEqual({
      playerId: payload.playerId,
      canDeposit: false,
      canPlay: false,
      reasons: ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"],
      jurisdiction: "GB",
      ageVerified: false,
      identityVerified: false,
      selfExcludedUntil: null,
      timedOutUntil: null,
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    // First the decision at registration, held back by the missing GAMSTOP check too; then the
    // decision once the screening (against the local fake: not excluded) has been recorded.
    const outbox = await svc.runtime.prisma.outboxEvent.findMany({ where: { type: "compliance.restrictions_changed", playerId: payload.playerId }, orderBy: { seq: "asc" } });
    const decision = (reasons: string[], cause: string) => ({
      playerId: payload.playerId,
      jurisdiction: "GB",
      canDeposit: false,
      canPlay: false,
      reasons,
      selfExcludedUntil: null,
      timedOutUntil: null,
      ruleSetId: expect.any(String),
      ruleSetVersion: 2,
      decidedAt: clock.toISOString(),
      cause,
    });
    expect(outbox.map((e) => e.payload)).toEqual([
      decision(["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED", "GAMSTOP_NOT_CHECKED"], "PLAYER_REGISTERED"),
      decision(["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"], "GAMSTOP_CHECKED"),
    ]);
    const checks = await svc.runtime.prisma.gamstopCheck.findMany({ where: { playerId: payload.playerId } });
    expect(checks).toEqual([expect.objectContaining({ outcome: "NOT_REGISTERED", uniqueId: expect.any(String), failure: null })]);
  });

  it("changes nothing when the same event is delivered again", async () => {
    const event = await registerPlayer();
    const playerId = event.payload.playerId;
    const before = await svc.runtime.prisma.playerRestrictions.findUniqueOrThrow({ where: { playerId } });

    await svc.runtime.bus.publish([event]);
    // The bus hands this consumer one event at a time in publish order: once a later registration
    // is stored, the redelivered one has been handled.
    await registerPlayer();

    expect(await svc.runtime.prisma.playerRestrictions.findUniqueOrThrow({ where: { playerId } })).toEqual(before);
    // The registration's decision and the screening's: nothing more for the redelivery, and no second GAMSTOP check.
    expect(await svc.runtime.prisma.outboxEvent.count({ where: { type: "compliance.restrictions_changed", playerId } })).toBe(2);
    expect(await svc.runtime.prisma.gamstopCheck.count({ where: { playerId } })).toBe(1);
    expect(await svc.runtime.prisma.processedEvent.count({ where: { consumer: "compliance", eventId: event.id } })).toBe(1);
  });

  it("keeps the first registration when another event registers the same player again", async () => {
    const first = await registerPlayer({ country: "GB", dateOfBirth: "1990-04-23" });
    const second = playerRegisteredEvent({ playerId: first.payload.playerId, country: "MT", dateOfBirth: "1985-01-01" });
    await svc.runtime.bus.publish([second]);
    await waitUntil("second event processed", async () => (await svc.runtime.prisma.processedEvent.count({ where: { eventId: second.id } })) === 1);

    const row = await svc.runtime.prisma.playerRestrictions.findUniqueOrThrow({ where: { playerId: first.payload.playerId } });
    expect(row.jurisdiction).toBe("GB");
    expect(row.dateOfBirth.toISOString().slice(0, 10)).toBe("1990-04-23");
    expect(await svc.runtime.prisma.outboxEvent.count({ where: { playerId: first.payload.playerId } })).toBe(2);
  });

  it("skips a malformed payload and goes on with the next event", async () => {
    const malformed = playerRegisteredEvent({ dateOfBirth: "23/04/1990" });
    await svc.runtime.bus.publish([malformed]);
    await registerPlayer();
    expect(await svc.runtime.prisma.playerRestrictions.count({ where: { playerId: malformed.payload.playerId } })).toBe(0);
  });
});

describe("Player.restrictions", () => {
  it("answers the player themself and staff of support, kyc or compliance", async () => {
    const { payload } = await registerPlayer();
    const reps = [{ __typename: "Player", id: payload.playerId, country: "GB" }];
    for (const token of [await svc.tokens.player(payload.playerId), kycStaff, complianceStaff, await svc.tokens.staff(["support"])]) {
      const res = await svc.graphql<{ _entities: Array<{ restrictions: Restrictions }> }>(PLAYER_RESTRICTIONS_ENTITY, { reps }, token);
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities[0]?.restrictions).toEqual({
        playerId: payload.playerId,
        canDeposit: false,
        canPlay: false,
        reasons: ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"],
        jurisdiction: "GB",
      });
    }
  });

  it("refuses another player, staff without a compliance role, and anonymous callers", async () => {
    const { payload } = await registerPlayer();
    const reps = [{ __typename: "Player", id: payload.playerId, country: "GB" }];
    const otherPlayer = await svc.graphql(PLAYER_RESTRICTIONS_ENTITY, { reps }, await svc.tokens.player(randomUUID()));
    const finance = await svc.graphql(PLAYER_RESTRICTIONS_ENTITY, { reps }, financeStaff);
    const anonymous = await svc.graphql(PLAYER_RESTRICTIONS_ENTITY, { reps });
    expect(otherPlayer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(finance.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("answers the restrictive default, not an error, before the registration has been processed", async () => {
    const playerId = randomUUID();
    const res = await svc.graphql<{ _entities: Array<{ restrictions: Restrictions }> }>(
      PLAYER_RESTRICTIONS_ENTITY,
      { reps: [{ __typename: "Player", id: playerId, country: "GB" }] },
      await svc.tokens.player(playerId),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities[0]?.restrictions).toEqual({
      playerId,
      canDeposit: false,
      canPlay: false,
      reasons: ["NOT_YET_ASSESSED"],
      jurisdiction: "GB",
    });
  });

  it("resolves several players in one request", async () => {
    const [a, b] = [await registerPlayer(), await registerPlayer({ dateOfBirth: "2000-02-29" })];
    const unknown = randomUUID();
    const reps = [a, b].map((e) => ({ __typename: "Player", id: e.payload.playerId, country: "GB" }));
    reps.push({ __typename: "Player", id: unknown, country: "IE" });
    const res = await svc.graphql<{ _entities: Array<{ id: string; restrictions: Restrictions }> }>(PLAYER_RESTRICTIONS_ENTITY, { reps }, kycStaff);
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.map((e) => [e.id, e.restrictions.reasons, e.restrictions.jurisdiction])).toEqual([
      [a.payload.playerId, ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"], "GB"],
      [b.payload.playerId, ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"], "GB"],
      [unknown, ["NOT_YET_ASSESSED"], "IE"],
    ]);
  });
});

describe("restrictionsOfPlayer and PlayerRestrictions references", () => {
  it("is null for a player compliance has not seen", async () => {
    const res = await svc.graphql(RESTRICTIONS_OF_PLAYER, { playerId: randomUUID() }, kycStaff);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ restrictionsOfPlayer: null });
  });

  it("refuses an id that is not a UUID as bad input", async () => {
    const res = await svc.graphql(RESTRICTIONS_OF_PLAYER, { playerId: "not-a-uuid" }, kycStaff);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("is for staff only: a player asking is refused, even for themself", async () => {
    const { payload } = await registerPlayer();
    const res = await svc.graphql(RESTRICTIONS_OF_PLAYER, { playerId: payload.playerId }, await svc.tokens.player(payload.playerId));
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("resolves a PlayerRestrictions reference for its player, and refuses another player", async () => {
    const { payload } = await registerPlayer();
    const reps = [{ __typename: "PlayerRestrictions", playerId: payload.playerId }];
    const own = await svc.graphql<{ _entities: unknown[] }>(RESTRICTIONS_ENTITY, { reps }, await svc.tokens.player(payload.playerId));
    expect(own.errors).toBeUndefined();
    expect(own.data?._entities).toEqual([{ playerId: payload.playerId, canPlay: false, reasons: ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"] }]);
    const other = await svc.graphql(RESTRICTIONS_ENTITY, { reps }, await svc.tokens.player(randomUUID()));
    expect(other.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("ruleSets", () => {
  it("lists the seeded UKGC versions with version 2 (bonus rules from 19 Dec 2025) in force now and version 3 (AML) waiting for its date", async () => {
    const res = await svc.graphql<{ ruleSets: RuleSetResult[] }>(RULE_SETS, { jurisdiction: "gb" }, complianceStaff);
    expect(res.errors).toBeUndefined();
    expect(res.data?.ruleSets.map((r) => [r.jurisdiction, r.version, r.effectiveFrom, r.active])).toEqual([
      ["GB", 3, "2026-11-29T00:00:00.000Z", false],
      ["GB", 2, "2025-12-19T00:00:00.000Z", true],
      ["GB", 1, "2025-05-21T00:00:00.000Z", false],
    ]);
  });

  it("carries the figures of the UKGC rules with their sources", async () => {
    const res = await svc.graphql<{ ruleSets: RuleSetResult[] }>(RULE_SETS, { jurisdiction: "GB" }, complianceStaff);
    const [v3, v2, v1] = (res.data?.ruleSets ?? []).map((r) => JSON.parse(r.rules) as Record<string, Record<string, unknown>>);
    expect(v1).toMatchObject({
      minimumAge: { years: 18 },
      ageAndIdentityVerification: { requiredBeforeDeposit: true, requiredBeforePlay: true, source: "LCCP, from 7 May 2019" },
      depositLimits: { periods: ["P1D", "P7D", "P1M"], increaseCoolingOffHours: 24, source: "RTS 12" },
      timeOut: { anyPeriodUpTo: "P6W" },
      selfExclusion: { minimumMonths: 6, source: "LCCP SR 3.5.5" },
      financialVulnerabilityCheck: { netDepositsThresholdMinor: { GBP: 15000 }, rollingDays: 30 },
      slotStakeLimitMinor: { GBP: 500, age18to24GBP: 200, source: "DCMS / GC 2025, from 21 May 2025" },
      slotDesign: { autoplay: false, minimumGameCycleMs: 2500 },
      otherCasinoGames: { minimumGameCycleMs: 5000 },
      withdrawals: { reverseIntoPlay: false, source: "RTS 8C" },
    });
    expect(v1).not.toHaveProperty("bonuses");
    expect(v2).toEqual({ ...v1, bonuses: { maxWageringMultiple: 10, mixedProductPromotions: false, source: "LCCP SR 5.1.1, from 19 Dec 2025" } });
    const { aml, ...v3WithoutAml } = v3 ?? {};
    expect(v3WithoutAml).toEqual(v2);
    expect(aml).toMatchObject({
      sourceOfFunds: { cumulativeDepositsMinor: { GBP: 200000 }, rollingDays: 90 },
      rapidCycle: { withdrawalShareOfDepositsPercent: 80, lookbackHours: 24, minimumDepositsMinor: { GBP: 10000 } },
      structuring: { reportingThresholdMinor: { GBP: 100000 }, bandLowerPercent: 90, minimumDeposits: 3, windowHours: 24 },
    });
    const { source: amlSource, ...amlGroups } = aml ?? {};
    expect(amlSource).toMatch(/^Operator policy \(configurable/);
    expect(Object.keys(amlGroups).sort()).toEqual(["rapidCycle", "sourceOfFunds", "structuring"]);
    for (const [group, figures] of Object.entries(amlGroups)) {
      expect([group, (figures as { source: string }).source]).toEqual([group, expect.stringMatching(/^Operator policy \(configurable, not a regulator figure\)/)]);
    }
    for (const [group, figures] of Object.entries(v3 ?? {})) {
      expect([group, typeof figures.source]).toEqual([group, "string"]);
    }
  });

  it("switches to a version loaded ahead of its date when the clock reaches that date", async () => {
    const rules = (minimumAgeYears: number) => ({
      minimumAge: { years: minimumAgeYears, source: "test" },
      ageAndIdentityVerification: { requiredBeforeDeposit: true, requiredBeforePlay: true, source: "test" },
    });
    // A jurisdiction of its own, so the seeded GB versions other tests read stay untouched.
    await svc.runtime.prisma.ruleSet.createMany({
      data: [
        { id: randomUUID(), jurisdiction: "GI", version: 1, effectiveFrom: new Date("2026-01-01T00:00:00Z"), rules: rules(18) },
        { id: randomUUID(), jurisdiction: "GI", version: 2, effectiveFrom: new Date("2026-11-24T10:00:00Z"), rules: rules(21) },
      ],
    });
    const { payload } = await registerPlayer({ country: "GI", dateOfBirth: "2006-01-01" });
    const reasons = async () =>
      (await svc.graphql<{ restrictionsOfPlayer: Restrictions }>(RESTRICTIONS_OF_PLAYER, { playerId: payload.playerId }, kycStaff)).data
        ?.restrictionsOfPlayer.reasons;
    const active = async () =>
      (await svc.graphql<{ ruleSets: RuleSetResult[] }>(RULE_SETS, { jurisdiction: "GI" }, complianceStaff)).data?.ruleSets.map((r) => [
        r.version,
        r.active,
      ]);

    expect(await active()).toEqual([[2, false], [1, true]]);
    expect(await reasons()).toEqual(["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"]);

    clock = new Date("2026-11-24T10:00:00Z");
    expect(await active()).toEqual([[2, true], [1, false]]);
    expect(await reasons()).toEqual(["UNDER_MINIMUM_AGE", "AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"]);
  });

  it("refuses a jurisdiction that is not an ISO 3166-1 alpha-2 code", async () => {
    const res = await svc.graphql(RULE_SETS, { jurisdiction: "GBR" }, complianceStaff);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("is for compliance staff only, through the query and through references", async () => {
    const support = await svc.graphql(RULE_SETS, {}, await svc.tokens.staff(["support"]));
    const anonymous = await svc.graphql(RULE_SETS, {});
    expect(support.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    const listed = await svc.graphql<{ ruleSets: RuleSetResult[] }>(RULE_SETS, { jurisdiction: "GB" }, complianceStaff);
    const reps = [{ __typename: "RuleSet", id: listed.data?.ruleSets.find((r) => r.version === 2)?.id }];
    const ENTITY = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on RuleSet { id version active } } }`;
    const asCompliance = await svc.graphql<{ _entities: unknown[] }>(ENTITY, { reps }, complianceStaff);
    expect(asCompliance.data?._entities).toEqual([{ id: reps[0]?.id, version: 2, active: true }]);
    const asPlayer = await svc.graphql(ENTITY, { reps }, await svc.tokens.player(randomUUID()));
    expect(asPlayer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
