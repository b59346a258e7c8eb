import { randomUUID } from "node:crypto";
import { startGamstopFake, type GamstopFake } from "@casino/gamstop-fake";
import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import type { DomainEvent } from "@casino/kernel/events/types";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";
import { playerRegisteredEvent, waitUntilScreened } from "./support/player-registered-event.ts";

/** GAMSTOP (LCCP SR 3.5.5) through the service, against a local fake of GAMSTOP's API. */
const API_KEY = "gamstop-test-key-0001";
const EXCLUDED = { firstName: "Eve", lastName: "Excluded", dateOfBirth: "1980-05-05", email: "eve@example.com", postcode: "M1 1AE" };
let fake: GamstopFake;
let svc: TestService<PrismaClient>;

beforeAll(async () => {
  fake = await startGamstopFake({ apiKey: API_KEY, exclusions: [{ ...EXCLUDED, status: "Y" }] });
  svc = await startTestService(createComplianceService(), { GAMSTOP_API_URL: fake.url, GAMSTOP_API_KEY: API_KEY, GAMSTOP_TIMEOUT_MS: "1500", GAMSTOP_RETRY_SECONDS: "1" });
});
afterAll(async () => {
  await svc.stop();
  await fake.stop();
});

const event = <T>(type: string, playerId: string, payload: T): DomainEvent<T> => ({
  id: randomUUID(),
  type,
  source: "player",
  aggregateId: playerId,
  playerId,
  occurredAt: new Date().toISOString(),
  payload,
});

const statusOf = async (playerId: string) => (await svc.runtime.prisma.playerRestrictions.findUniqueOrThrow({ where: { playerId } })).gamstopStatus;

async function stakeCheck(playerId: string) {
  const token = await new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, "games", "compliance").token();
  const res = await fetch(svc.url.replace(/\/graphql$/, "/internal/compliance/v1/checks/stake"), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ playerId, currency: "GBP", amount: "100", gameKind: "TABLE" }),
  });
  return (await res.json()) as { allowed: boolean; reasons: string[] };
}

async function verify(playerId: string) {
  await svc.runtime.bus.publish([event("player.kyc_changed", playerId, { playerId, kycStatus: "VERIFIED", ageVerified: true, identityVerified: true, changedAt: new Date().toISOString() })]);
  await waitUntil("verified", async () => (await svc.runtime.prisma.playerRestrictions.findUnique({ where: { playerId } }))?.identityVerified === true);
}

async function screen(body: Record<string, unknown>, caller: "player" | "games" = "player") {
  const token = await new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, caller, "compliance").token();
  const res = await fetch(svc.url.replace(/\/graphql$/, "/internal/compliance/v1/gamstop/screen"), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("screening registered players", () => {
  it("blocks deposits and play of a player GAMSTOP reports as self-excluded, even once verified", async () => {
    const registered = playerRegisteredEvent({ ...EXCLUDED });
    await svc.runtime.bus.publish([registered]);
    const { playerId } = registered.payload;
    await waitUntilScreened(svc.runtime.prisma, playerId);
    await verify(playerId);
    expect(await statusOf(playerId)).toBe("EXCLUDED");
    expect(await stakeCheck(playerId)).toEqual({ allowed: false, reasons: ["GAMSTOP_EXCLUDED"], maxStake: null });
    const [check] = await svc.runtime.prisma.gamstopCheck.findMany({ where: { playerId } });
    expect(check).toMatchObject({ outcome: "EXCLUDED", uniqueId: expect.any(String) });
  });

  it("holds a player who gave no details back until the profile is completed and screened", async () => {
    const registered = playerRegisteredEvent({ firstName: null, lastName: null, postcode: null });
    const { playerId } = registered.payload;
    await svc.runtime.bus.publish([registered]);
    await waitUntil("restrictions row", async () => (await svc.runtime.prisma.playerRestrictions.count({ where: { playerId } })) === 1);
    await verify(playerId);
    expect(await stakeCheck(playerId)).toMatchObject({ allowed: false, reasons: ["GAMSTOP_NOT_CHECKED"] });
    await svc.runtime.bus.publish([event("player.profile_updated", playerId, { playerId, firstName: "Sam", lastName: "Clear", postcode: "EC1A 1BB", dateOfBirth: "1990-04-23", country: "GB", email: `${playerId}@example.com` })]);
    await waitUntilScreened(svc.runtime.prisma, playerId);
    expect(await stakeCheck(playerId)).toMatchObject({ allowed: true, reasons: [] });
  });

  it("treats a GAMSTOP that does not answer as 'cannot verify', and checks again until it answers", async () => {
    // The first check times out; the retries (every second here) meet a failing GAMSTOP until the
    // test lets it answer, so the blocked state is observed however slow the machine is.
    fake.failNext("timeout");
    for (let i = 0; i < 600; i++) fake.failNext("500");
    const registered = playerRegisteredEvent();
    const { playerId } = registered.payload;
    await svc.runtime.bus.publish([registered]);
    await waitUntilScreened(svc.runtime.prisma, playerId);
    await verify(playerId);
    expect(await statusOf(playerId)).toBe("UNAVAILABLE");
    expect(await stakeCheck(playerId)).toMatchObject({ allowed: false, reasons: ["GAMSTOP_UNAVAILABLE"] });
    fake.reset();
    await waitUntil("retried", async () => (await statusOf(playerId)) === "CLEAR", 15_000);
    expect(await stakeCheck(playerId)).toMatchObject({ allowed: true });
    const audit = await svc.runtime.prisma.auditLog.findMany({ where: { playerId, action: "GAMSTOP_CHECKED" }, orderBy: { seq: "asc" } });
    const details = audit.map((a) => a.details as { status: string; failure: string | null });
    expect(details[0]).toMatchObject({ status: "UNAVAILABLE", failure: "TIMEOUT" });
    expect(details.slice(1, -1).every((d) => d.status === "UNAVAILABLE" && d.failure !== null)).toBe(true);
    expect(details.at(-1)).toMatchObject({ status: "CLEAR", failure: null });
    // Every attempt is kept as evidence: one check row per audit entry.
    const checks = await svc.runtime.prisma.gamstopCheck.findMany({ where: { playerId } });
    expect(checks).toHaveLength(audit.length);
    expect(checks.filter((c) => c.outcome === "NOT_REGISTERED")).toHaveLength(1);
  });

  it("records the player service's screening at registration without asking GAMSTOP again", async () => {
    const before = fake.requests.length;
    const registered = playerRegisteredEvent();
    const { playerId } = registered.payload;
    await svc.runtime.bus.publish([{ ...registered, payload: { ...registered.payload, gamstop: { outcome: "NOT_REGISTERED", uniqueId: "u-123", traceId: "t-123", checkedAt: new Date().toISOString() } } }]);
    await waitUntilScreened(svc.runtime.prisma, playerId);
    expect(await statusOf(playerId)).toBe("CLEAR");
    expect(fake.requests.length).toBe(before);
    expect(await svc.runtime.prisma.gamstopCheck.findMany({ where: { playerId } })).toEqual([expect.objectContaining({ uniqueId: "u-123", traceId: "t-123" })]);
  });
});

describe("screening at registration (for the player service)", () => {
  it("answers the outcome, keeps it as evidence, and refuses other callers and bad details", async () => {
    const clear = await screen({ firstName: "Ann", lastName: "Able", dateOfBirth: "1991-01-01", email: "ann@example.com", postcode: "SW1A 1AA" });
    expect(clear).toMatchObject({ status: 200, body: { outcome: "NOT_REGISTERED", uniqueId: expect.any(String) } });
    const excluded = await screen(EXCLUDED);
    expect(excluded).toMatchObject({ status: 200, body: { outcome: "EXCLUDED" } });
    expect(await svc.runtime.prisma.gamstopCheck.count({ where: { uniqueId: { in: [clear.body.uniqueId as string, excluded.body.uniqueId as string] }, playerId: null } })).toBe(2);
    expect((await screen(EXCLUDED, "games")).status).toBe(403);
    expect(await screen({ ...EXCLUDED, postcode: "not a postcode" })).toMatchObject({ status: 400, body: { error: { code: "BAD_USER_INPUT", field: "postcode" } } });
    fake.failNext("500");
    expect(await screen(EXCLUDED)).toMatchObject({ status: 503, body: { error: { code: "GAMSTOP_UNAVAILABLE" } } });
  });
});
