import { randomUUID } from "node:crypto";
import { ComplianceClient, ComplianceUnavailableError } from "@casino/compliance-client";
import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import type { DomainEvent } from "@casino/kernel/events/types";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";
import { playerRegisteredEvent, waitUntilScreened } from "./support/player-registered-event.ts";
import { transactionPostedEvent } from "./support/wallet-transaction-posted-event.ts";

// GB rule set v3 (with the aml group: source of funds 2,000 GBP in 90 days, rapid cycle 80 % of at
// least 100 GBP deposited in the 24 hours before) is in force from 29 Nov 2026.
let clock = new Date("2026-12-05T09:00:00Z");
const HOUR = 3_600_000;
const hoursAgo = (h: number) => new Date(clock.getTime() - h * HOUR);
let svc: TestService<PrismaClient>;
let client: ComplianceClient;
let complianceStaff: string;

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }));
  complianceStaff = await svc.tokens.staff(["compliance"]);
  client = new ComplianceClient({ baseUrl: svc.url, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "payments", attempts: 1 });
});
afterAll(async () => {
  await client.close();
  await svc.stop();
});

const event = <T>(type: string, playerId: string, payload: T): DomainEvent<T> => ({
  id: randomUUID(),
  type,
  source: type.split(".")[0] as DomainEvent["source"],
  aggregateId: playerId,
  playerId,
  occurredAt: clock.toISOString(),
  payload,
});

async function registered(verified: boolean): Promise<{ playerId: string; token: string }> {
  const reg = playerRegisteredEvent();
  const playerId = reg.payload.playerId;
  await svc.runtime.bus.publish([reg]);
  await waitUntilScreened(svc.runtime.prisma, playerId);
  if (verified) {
    await svc.runtime.bus.publish([event("player.kyc_changed", playerId, { playerId, kycStatus: "VERIFIED", ageVerified: true, identityVerified: true })]);
    await waitUntil("verified", async () => (await svc.runtime.prisma.playerRestrictions.findUnique({ where: { playerId } }))?.identityVerified === true);
  }
  return { playerId, token: await svc.tokens.player(playerId) };
}

async function deposited(playerId: string, minor: bigint, at: Date): Promise<void> {
  const e = transactionPostedEvent(playerId, "DEPOSIT", minor, at);
  await svc.runtime.bus.publish([e]);
  await waitUntil("movement recorded", async () => (await svc.runtime.prisma.moneyMovement.count({ where: { transactionId: e.payload.transactionId } })) === 1);
}

const ask = (playerId: string, amountMinor: bigint, currency = "GBP") => client.withdrawal({ playerId, currency, amountMinor });

async function raw(caller: "payments" | "games", body: unknown) {
  const token = await new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, caller, "compliance").token();
  const res = await fetch(svc.url.replace(/\/graphql$/, "/internal/compliance/v1/checks/withdrawal"), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const CLEAR = { allowed: true, reasons: [], reviewRequired: false, reviewReasons: [], riskLevel: "LOW" };

describe("the withdrawal check", () => {
  it("lets a verified player withdraw without review", async () => {
    const { playerId } = await registered(true);
    expect(await ask(playerId, 5_000n)).toEqual(CLEAR);
  });

  it("refuses before age and identity are verified, for an unknown player and in another currency", async () => {
    const { playerId } = await registered(false);
    expect(await ask(playerId, 5_000n)).toMatchObject({ allowed: false, reasons: ["AGE_NOT_VERIFIED", "IDENTITY_NOT_VERIFIED"] });
    expect(await ask(randomUUID(), 5_000n)).toEqual({ allowed: false, reasons: ["NOT_YET_ASSESSED"], reviewRequired: false, reviewReasons: [], riskLevel: null });
    const verified = await registered(true);
    expect(await ask(verified.playerId, 5_000n, "EUR")).toMatchObject({ allowed: false, reasons: ["WRONG_CURRENCY"] });
  });

  it("still lets a self-excluded or timed-out player take their money out (RTS 8C), while their deposits are refused", async () => {
    const excluded = await registered(true);
    const se = await svc.graphql(`mutation { selfExclude(months: 6) { canDeposit } }`, {}, excluded.token);
    expect(se.errors).toBeUndefined();
    expect(await ask(excluded.playerId, 5_000n)).toEqual(CLEAR);
    expect(await client.deposit({ playerId: excluded.playerId, currency: "GBP", amountMinor: 5_000n })).toMatchObject({ allowed: false, reasons: ["SELF_EXCLUDED"] });

    const timedOut = await registered(true);
    const to = await svc.graphql(`mutation { takeTimeOut(days: 7) { canDeposit } }`, {}, timedOut.token);
    expect(to.errors).toBeUndefined();
    expect(await ask(timedOut.playerId, 5_000n)).toEqual(CLEAR);
  });

  it("holds a blocked player's withdrawal for review, at high risk", async () => {
    const { playerId } = await registered(true);
    const res = await svc.graphql(`mutation($p: ID!) { setPlayerBlocked(playerId: $p, blocked: true, reason: "account under investigation") { canPlay } }`, { p: playerId }, complianceStaff);
    expect(res.errors).toBeUndefined();
    expect(await ask(playerId, 5_000n)).toEqual({ allowed: true, reasons: [], reviewRequired: true, reviewReasons: ["BLOCKED"], riskLevel: "HIGH" });
    expect(await client.deposit({ playerId, currency: "GBP", amountMinor: 5_000n })).toMatchObject({ allowed: false, riskLevel: "HIGH" });
  });

  it("holds while an AML case is open (high risk); another open case only raises the risk", async () => {
    const aml = await registered(true);
    const opened = await svc.graphql(`mutation($p: ID!) { openCase(playerId: $p, kind: AML_STRUCTURING, reason: "split deposits reported by the bank") { id } }`, { p: aml.playerId }, complianceStaff);
    expect(opened.errors).toBeUndefined();
    expect(await ask(aml.playerId, 5_000n)).toEqual({ allowed: true, reasons: [], reviewRequired: true, reviewReasons: ["AML_CASE_OPEN"], riskLevel: "HIGH" });

    const other = await registered(true);
    await svc.graphql(`mutation($p: ID!) { openCase(playerId: $p, kind: OTHER, reason: "support escalation") { id } }`, { p: other.playerId }, complianceStaff);
    expect(await ask(other.playerId, 5_000n)).toEqual({ ...CLEAR, riskLevel: "MEDIUM" });
    expect(await client.deposit({ playerId: other.playerId, currency: "GBP", amountMinor: 5_000n })).toMatchObject({ allowed: true, riskLevel: "MEDIUM" });
  });

  it("holds once deposits reach the source-of-funds figure, until compliance accepts the evidence", async () => {
    const { playerId } = await registered(true);
    await deposited(playerId, 150_000n, hoursAgo(24 * 10));
    // Over 150 GBP net in 30 days: a financial vulnerability case, which raises the risk but holds nothing.
    expect(await ask(playerId, 5_000n)).toEqual({ ...CLEAR, riskLevel: "MEDIUM" });
    await deposited(playerId, 50_000n, hoursAgo(24 * 5));
    // The deposit reaching 2,000 GBP also opened a monitoring case.
    expect(await ask(playerId, 5_000n)).toEqual({ allowed: true, reasons: [], reviewRequired: true, reviewReasons: ["AML_CASE_OPEN", "AML_SOURCE_OF_FUNDS"], riskLevel: "HIGH" });

    const [sofCase] = await svc.runtime.prisma.complianceCase.findMany({ where: { playerId, kind: "AML_SOURCE_OF_FUNDS" } });
    expect(sofCase).toBeDefined();
    await svc.graphql(`mutation($c: ID!) { assignCase(caseId: $c, assigneeId: "officer-1") { id } }`, { c: sofCase!.id }, complianceStaff);
    const resolved = await svc.graphql(`mutation($c: ID!) { resolveCase(caseId: $c, outcome: NO_ACTION, summary: "payslips and bank statements seen") { status } }`, { c: sofCase!.id }, complianceStaff);
    expect(resolved.errors).toBeUndefined();
    expect(await ask(playerId, 5_000n)).toEqual({ ...CLEAR, riskLevel: "MEDIUM" });
  });

  it("holds a withdrawal returning most of what was deposited in the last 24 hours (rapid cycle)", async () => {
    const { playerId } = await registered(true);
    await deposited(playerId, 10_000n, hoursAgo(2));
    expect(await ask(playerId, 7_999n)).toEqual(CLEAR);
    expect(await ask(playerId, 8_000n)).toEqual({ allowed: true, reasons: [], reviewRequired: true, reviewReasons: ["AML_RAPID_CYCLE"], riskLevel: "LOW" });
    // A day later the deposits are out of the lookback.
    clock = new Date(clock.getTime() + 23 * HOUR);
    expect(await ask(playerId, 8_000n)).toEqual(CLEAR);
  });

  it("answers only payments, refuses malformed questions, and the client fails closed", async () => {
    const { playerId } = await registered(true);
    expect((await raw("games", { playerId, currency: "GBP", amount: "100" })).status).toBe(403);
    expect((await raw("payments", { playerId, currency: "GBP", amount: "0" })).status).toBe(400);
    expect((await raw("payments", { playerId, currency: "GBP", amount: "-5" })).status).toBe(400);
    expect((await raw("payments", { playerId: "nope", currency: "GBP", amount: "5" })).status).toBe(400);
    await expect(ask(playerId, 0n)).rejects.toBeInstanceOf(ComplianceUnavailableError);
    const down = new ComplianceClient({ baseUrl: "http://127.0.0.1:9", serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "payments", attempts: 2, timeoutMs: 200 });
    await expect(down.withdrawal({ playerId, currency: "GBP", amountMinor: 100n })).rejects.toBeInstanceOf(ComplianceUnavailableError);
    await down.close();
  });
});
