import { randomUUID } from "node:crypto";
import { ComplianceClient } from "@casino/compliance-client";
import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import type { DomainEvent } from "@casino/kernel/events/types";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";
import { playerRegisteredEvent, waitUntilScreened } from "./support/player-registered-event.ts";

let clock = new Date("2026-11-24T09:00:00Z");
const advance = (hours: number) => void (clock = new Date(clock.getTime() + hours * 3_600_000));
let svc: TestService<PrismaClient>;
let complianceStaff: string;

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }));
  complianceStaff = await svc.tokens.staff(["compliance"]);
});
afterAll(async () => {
  await svc.stop();
});

const event = <T>(type: string, playerId: string, payload: T, occurredAt = clock.toISOString()): DomainEvent<T> => ({
  id: randomUUID(),
  type,
  source: type.split(".")[0] as DomainEvent["source"],
  aggregateId: playerId,
  playerId,
  occurredAt,
  payload,
});

/** A registered player whose age and identity are verified: allowed to deposit and play. */
async function verifiedPlayer(dateOfBirth = "1990-04-23"): Promise<{ playerId: string; token: string }> {
  const registered = playerRegisteredEvent({ dateOfBirth });
  const playerId = registered.payload.playerId;
  await svc.runtime.bus.publish([registered]);
  await waitUntilScreened(svc.runtime.prisma, playerId);
  await svc.runtime.bus.publish([event("player.kyc_changed", playerId, { playerId, kycStatus: "VERIFIED", ageVerified: true, identityVerified: true, changedAt: clock.toISOString() })]);
  await waitUntil("verified", async () => (await svc.runtime.prisma.playerRestrictions.findUnique({ where: { playerId } }))?.identityVerified === true);
  return { playerId, token: await svc.tokens.player(playerId) };
}

async function deposited(playerId: string, amountMinor: string, hoursAgo = 0) {
  const transactionId = randomUUID();
  const at = new Date(clock.getTime() - hoursAgo * 3_600_000).toISOString();
  await svc.runtime.bus.publish([event("wallet.transaction_posted", playerId, { transactionId, type: "DEPOSIT", playerId, currency: "GBP", amountMinor, reservedAmountMinor: "0" }, at)]);
  await waitUntil("movement recorded", async () => (await svc.runtime.prisma.moneyMovement.count({ where: { transactionId } })) === 1);
}

async function check(kind: "deposit" | "stake", body: Record<string, string>) {
  const caller = kind === "deposit" ? "payments" : "games";
  const token = await new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, caller, "compliance").token();
  const res = await fetch(svc.url.replace(/\/graphql$/, `/internal/compliance/v1/checks/${kind}`), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { allowed: boolean; reasons: string[]; remaining?: string | null; maxStake?: string | null; error?: { code: string } } };
}

const SET_LIMIT = `mutation($p: LimitPeriod!, $a: MoneyInput) { setDepositLimit(period: $p, amount: $a) { period amount { amount currency } pendingAmount { amount } pendingRemoval confirmableAt } }`;
const CONFIRM = `mutation($p: LimitPeriod!) { confirmDepositLimitIncrease(period: $p) { period amount { amount } pendingAmount { amount } } }`;
const TIME_OUT = `mutation($d: Int!) { takeTimeOut(days: $d) { canDeposit canPlay reasons timedOutUntil } }`;
const SELF_EXCLUDE = `mutation($m: Int!) { selfExclude(months: $m) { canDeposit canPlay reasons selfExcludedUntil } }`;
const MY_RG = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on ResponsibleGambling { playerId depositLimits { period amount { amount } pendingAmount { amount } } exclusions { kind startsAt endsAt source } } } }`;

describe("deposit limits through GraphQL and the deposit check", () => {
  it("applies a new limit at once and refuses a deposit beyond it, counting deposits the wallet reported", async () => {
    const { playerId, token } = await verifiedPlayer();
    const set = await svc.graphql(SET_LIMIT, { p: "DAY", a: { amount: "100.00", currency: "GBP" } }, token);
    expect(set.errors).toBeUndefined();
    expect(set.data).toEqual({ setDepositLimit: { period: "DAY", amount: { amount: "100.00", currency: "GBP" }, pendingAmount: null, pendingRemoval: false, confirmableAt: null } });
    await deposited(playerId, "6000", 2);
    await deposited(playerId, "3000", 30); // outside the 24-hour window
    expect((await check("deposit", { playerId, currency: "GBP", amount: "4000" })).body).toEqual({ allowed: true, reasons: [], remaining: "4000", riskLevel: "LOW" });
    expect((await check("deposit", { playerId, currency: "GBP", amount: "4001" })).body).toEqual({ allowed: false, reasons: ["DEPOSIT_LIMIT_DAY"], remaining: "4000", riskLevel: "LOW" });
  });

  it("keeps the old limit for 24 hours after an increase, then applies it only once confirmed", async () => {
    const { playerId, token } = await verifiedPlayer();
    await svc.graphql(SET_LIMIT, { p: "WEEK", a: { amount: "50.00", currency: "GBP" } }, token);
    const raised = await svc.graphql<{ setDepositLimit: { amount: { amount: string }; pendingAmount: { amount: string }; confirmableAt: string } }>(SET_LIMIT, { p: "WEEK", a: { amount: "500.00", currency: "GBP" } }, token);
    expect(raised.data?.setDepositLimit).toMatchObject({ amount: { amount: "50.00" }, pendingAmount: { amount: "500.00" }, confirmableAt: new Date(clock.getTime() + 24 * 3_600_000).toISOString() });
    expect((await check("deposit", { playerId, currency: "GBP", amount: "5001" })).body.allowed).toBe(false);

    const early = await svc.graphql(CONFIRM, { p: "WEEK" }, token);
    expect(early.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    advance(24);
    // Still the old limit: an increase needs the player's confirmation too.
    expect((await check("deposit", { playerId, currency: "GBP", amount: "5001" })).body.allowed).toBe(false);
    const confirmed = await svc.graphql(CONFIRM, { p: "WEEK" }, token);
    expect(confirmed.data).toEqual({ confirmDepositLimitIncrease: { period: "WEEK", amount: { amount: "500.00" }, pendingAmount: null } });
    expect((await check("deposit", { playerId, currency: "GBP", amount: "5001" })).body.allowed).toBe(true);
  });

  it("refuses a limit below zero or in another currency, and writes nothing", async () => {
    const { playerId, token } = await verifiedPlayer();
    for (const a of [{ amount: "-1.00", currency: "GBP" }, { amount: "0.00", currency: "GBP" }, { amount: "10.00", currency: "EUR" }, { amount: "10.001", currency: "GBP" }]) {
      const res = await svc.graphql(SET_LIMIT, { p: "DAY", a }, token);
      expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    expect(await svc.runtime.prisma.depositLimit.count({ where: { playerId } })).toBe(0);
    expect(await svc.runtime.prisma.auditLog.count({ where: { playerId, action: { startsWith: "DEPOSIT_LIMIT" } } })).toBe(0);
  });
});

describe("time-outs and self-exclusion", () => {
  it("stops the very next stake and deposit once a player self-excludes, and cannot be lifted", async () => {
    const { playerId, token } = await verifiedPlayer();
    const sixMonths = new Date(clock);
    sixMonths.setUTCMonth(sixMonths.getUTCMonth() + 6);
    expect((await check("stake", { playerId, currency: "GBP", amount: "100", gameKind: "SLOT" })).body).toEqual({ allowed: true, reasons: [], maxStake: "500" });
    const excluded = await svc.graphql<{ selfExclude: { canPlay: boolean; reasons: string[]; selfExcludedUntil: string } }>(SELF_EXCLUDE, { m: 6 }, token);
    expect(excluded.data?.selfExclude).toMatchObject({ canPlay: false, reasons: ["SELF_EXCLUDED"], selfExcludedUntil: sixMonths.toISOString() });
    expect((await check("stake", { playerId, currency: "GBP", amount: "100", gameKind: "SLOT" })).body).toMatchObject({ allowed: false, reasons: ["SELF_EXCLUDED"] });
    expect((await check("deposit", { playerId, currency: "GBP", amount: "100" })).body).toMatchObject({ allowed: false, reasons: ["SELF_EXCLUDED"] });
    // A shorter request does not shorten it; there is no way to lift it.
    const again = await svc.graphql<{ selfExclude: { selfExcludedUntil: string } }>(SELF_EXCLUDE, { m: 6 }, token);
    expect(again.data?.selfExclude.selfExcludedUntil).toBe(sixMonths.toISOString());
    const events = await svc.runtime.prisma.outboxEvent.findMany({ where: { playerId, type: "compliance.restrictions_changed" }, orderBy: { seq: "asc" } });
    expect(events.at(-1)?.payload).toMatchObject({ canPlay: false, reasons: ["SELF_EXCLUDED"], cause: "SELF_EXCLUSION" });
  });

  it("refuses self-exclusion shorter than 6 months and changes nothing", async () => {
    const { playerId, token } = await verifiedPlayer();
    const res = await svc.graphql(SELF_EXCLUDE, { m: 5 }, token);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field: "months" } });
    expect(await svc.runtime.prisma.exclusion.count({ where: { playerId } })).toBe(0);
    expect((await check("stake", { playerId, currency: "GBP", amount: "100", gameKind: "TABLE" })).body.allowed).toBe(true);
  });

  it("ends a time-out by itself when its time has passed", async () => {
    const { playerId, token } = await verifiedPlayer();
    const res = await svc.graphql<{ takeTimeOut: { canPlay: boolean; timedOutUntil: string } }>(TIME_OUT, { d: 1 }, token);
    expect(res.data?.takeTimeOut).toMatchObject({ canPlay: false });
    expect((await check("stake", { playerId, currency: "GBP", amount: "1", gameKind: "TABLE" })).body.reasons).toEqual(["TIMED_OUT"]);
    advance(24);
    expect((await check("stake", { playerId, currency: "GBP", amount: "1", gameKind: "TABLE" })).body).toMatchObject({ allowed: true, reasons: [] });
    const rg = await svc.graphql<{ _entities: Array<{ exclusions: Array<{ kind: string; source: string }> }> }>(MY_RG, { reps: [{ __typename: "ResponsibleGambling", playerId }] }, token);
    expect(rg.data?._entities[0]?.exclusions).toEqual([expect.objectContaining({ kind: "TIME_OUT", source: `player:${playerId}` })]);
  });
});

describe("stake limits", () => {
  it("gives an 18-24 year old a 2 GBP slot limit and refuses more", async () => {
    const { playerId } = await verifiedPlayer("2004-06-01");
    expect((await check("stake", { playerId, currency: "GBP", amount: "201", gameKind: "SLOT" })).body).toEqual({ allowed: false, reasons: ["STAKE_LIMIT"], maxStake: "200" });
  });

  it("refuses play before age and identity are verified", async () => {
    const registered = playerRegisteredEvent();
    await svc.runtime.bus.publish([registered]);
    const playerId = registered.payload.playerId;
    // Screened against GAMSTOP (asynchronously, after the registration): what is left is age and identity.
    await waitUntilScreened(svc.runtime.prisma, playerId);
    expect((await check("stake", { playerId, currency: "GBP", amount: "1", gameKind: "SLOT" })).body).toMatchObject({ allowed: false, reasons: ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"] });
    expect((await check("stake", { playerId: randomUUID(), currency: "GBP", amount: "1", gameKind: "SLOT" })).body).toMatchObject({ allowed: false, reasons: ["NOT_YET_ASSESSED"] });
  });
});

describe("the check API's own rules", () => {
  it("answers only the service whose question it is, and refuses malformed questions", async () => {
    const { playerId } = await verifiedPlayer();
    const wrongCaller = await new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, "games", "compliance").token();
    const res = await fetch(svc.url.replace(/\/graphql$/, "/internal/compliance/v1/checks/deposit"), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${wrongCaller}` },
      body: JSON.stringify({ playerId, currency: "GBP", amount: "1" }),
    });
    expect(res.status).toBe(403);
    expect((await check("stake", { playerId, currency: "GBP", amount: "-1", gameKind: "SLOT" })).status).toBe(400);
    expect((await check("stake", { playerId, currency: "GBP", amount: "1", gameKind: "ROULETTE" })).status).toBe(400);
    expect((await check("deposit", { playerId, currency: "XXX", amount: "1" })).status).toBe(400);
  });
});

describe("staff actions", () => {
  it("blocks a player with a reason in the audit log; a staff member without the role cannot", async () => {
    const { playerId } = await verifiedPlayer();
    const BLOCK = `mutation($p: ID!) { setPlayerBlocked(playerId: $p, blocked: true, reason: "chargeback fraud suspected") { canPlay reasons } }`;
    const support = await svc.graphql(BLOCK, { p: playerId }, await svc.tokens.staff(["support"]));
    expect(support.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await svc.runtime.prisma.playerRestrictions.findUniqueOrThrow({ where: { playerId } })).blocked).toBe(false);
    const blocked = await svc.graphql(BLOCK, { p: playerId }, complianceStaff);
    expect(blocked.data).toEqual({ setPlayerBlocked: { canPlay: false, reasons: ["BLOCKED"] } });
    const log = await svc.graphql<{ auditLog: { edges: Array<{ node: { actor: string; action: string; details: string } }> } }>(
      `query($p: ID) { auditLog(playerId: $p, first: 5) { edges { node { actor action details } } } }`,
      { p: playerId },
      complianceStaff,
    );
    expect(log.data?.auditLog.edges[0]?.node).toMatchObject({ action: "BLOCKED", actor: expect.stringMatching(/^staff:/) });
    expect(JSON.parse(log.data!.auditLog.edges[0]!.node.details)).toEqual({ reason: "chargeback fraud suspected" });
    expect(log.data?.auditLog.edges.map((e) => e.node.action)).toContain("KYC_CHANGED");
  });

  it("keeps the audit log append-only", async () => {
    await expect(svc.runtime.prisma.auditLog.deleteMany({})).rejects.toThrow(/append-only/);
  });
});

describe("the play check before a game launch (ComplianceClient)", () => {
  const client = (caller: "games" | "payments" = "games") => new ComplianceClient({ baseUrl: svc.url, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller });

  it("answers with the jurisdiction, currency, RTS 14 figures and the age-based slot stake limit", async () => {
    const young = await verifiedPlayer("2005-01-01"); // 21 on the test clock
    const older = await verifiedPlayer("1980-01-01");
    const games = client();
    try {
      expect(await games.play({ playerId: young.playerId, gameKind: "SLOT" })).toEqual({
        allowed: true,
        reasons: [],
        jurisdiction: "GB",
        currency: "GBP",
        design: { minimumGameCycleMs: 2500, autoplayAllowed: false, turboAllowed: false, showNetPositionAndSessionTime: true, source: "RTS 14" },
        maxStake: 200n,
      });
      expect(await games.play({ playerId: older.playerId, gameKind: "SLOT" })).toMatchObject({ allowed: true, maxStake: 500n });
      expect(await games.play({ playerId: older.playerId, gameKind: "TABLE" })).toMatchObject({
        allowed: true,
        maxStake: null,
        design: { minimumGameCycleMs: 5000, autoplayAllowed: false, turboAllowed: false },
      });
    } finally {
      await games.close();
    }
  });

  it("refuses a self-excluded or unknown player, and only the games service may ask", async () => {
    const { playerId, token } = await verifiedPlayer();
    const excluded = await svc.graphql(SELF_EXCLUDE, { m: 6 }, token);
    expect(excluded.errors).toBeUndefined();
    const games = client();
    const payments = client("payments");
    try {
      const answer = await games.play({ playerId, gameKind: "SLOT" });
      expect(answer.allowed).toBe(false);
      expect(answer.reasons).toContain("SELF_EXCLUDED");
      expect(await games.play({ playerId: randomUUID(), gameKind: "SLOT" })).toMatchObject({ allowed: false, reasons: ["NOT_YET_ASSESSED"] });
      await expect(payments.play({ playerId, gameKind: "SLOT" })).rejects.toMatchObject({ name: "ComplianceUnavailableError", status: 403, code: "FORBIDDEN" });
      await expect(games.play({ playerId: "not-a-uuid", gameKind: "SLOT" })).rejects.toMatchObject({ status: 400, code: "BAD_USER_INPUT" });
    } finally {
      await games.close();
      await payments.close();
    }
  });
});
