import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { playerService } from "../src/service.ts";
import { dataOf, errorOf } from "./support/graphql-data.ts";
import { PASSWORD, registerPlayer } from "./support/register-player.ts";

let svc: TestService<PrismaClient>;
beforeAll(async () => {
  svc = await startTestService(playerService);
});
afterAll(async () => {
  await svc.stop();
});

const SET_STATUS = `mutation($id: ID!, $s: PlayerStatus!, $r: String!) { setPlayerStatus(playerId: $id, status: $s, reason: $r) { id status } }`;
const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`;

const statusOf = async (id: string) => (await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id } })).status;
const statusEvents = (playerId: string) =>
  svc.runtime.prisma.outboxEvent.findMany({ where: { playerId, type: "player.status_changed" }, orderBy: { seq: "asc" } }).then((rows) => rows.map((r) => r.payload));

function restrictionsChanged(playerId: string, reasons: string[], decidedAt = new Date(), id: string = randomUUID()) {
  return {
    id,
    type: "compliance.restrictions_changed",
    source: "compliance" as const,
    aggregateId: playerId,
    playerId,
    occurredAt: decidedAt.toISOString(),
    payload: { playerId, jurisdiction: "GB", canDeposit: reasons.length === 0, canPlay: reasons.length === 0, reasons, decidedAt: decidedAt.toISOString() },
  };
}
const processed = (eventId: string) => svc.runtime.prisma.processedEvent.count({ where: { consumer: "player", eventId } });

describe("staff block and unblock", () => {
  it("a blocked player cannot log in or refresh (ACCOUNT_DISABLED), sessions end, and player.status_changed is written", async () => {
    const p = await registerPlayer(svc);
    const support = await svc.tokens.staff(["support"]);
    expect(dataOf(await svc.graphql(SET_STATUS, { id: p.id, s: "BLOCKED", r: "chargeback fraud suspected" }, support))).toEqual({ setPlayerStatus: { id: p.id, status: "BLOCKED" } });

    expect(errorOf(await svc.graphql(LOGIN, { e: p.email, p: PASSWORD }))).toMatchObject({ code: "ACCOUNT_DISABLED" });
    expect(errorOf(await svc.graphql(REFRESH, { t: p.refreshToken })).code).toBe("UNAUTHENTICATED");
    expect(await svc.runtime.prisma.authSession.count({ where: { subjectId: p.id, revokedAt: null } })).toBe(0);
    // The access token outlives the block for its few minutes, but cannot act with it.
    const update = await svc.graphql(`mutation { updateProfile(input: { city: "Leeds" }) { id } }`, {}, p.accessToken);
    expect(errorOf(update).code).toBe("ACCOUNT_DISABLED");
    expect(await statusEvents(p.id)).toEqual([{ playerId: p.id, status: "BLOCKED", reason: "chargeback fraud suspected", changedAt: expect.any(String) }]);

    const compliance = await svc.tokens.staff(["compliance"]);
    expect(dataOf(await svc.graphql(SET_STATUS, { id: p.id, s: "ACTIVE", r: "cleared" }, compliance))).toEqual({ setPlayerStatus: { id: p.id, status: "ACTIVE" } });
    expect(dataOf(await svc.graphql(LOGIN, { e: p.email, p: PASSWORD }))).toBeTruthy();
    expect((await statusEvents(p.id)).map((e) => (e as { status: string }).status)).toEqual(["BLOCKED", "ACTIVE"]);
  });

  it.each([
    ["TIMED_OUT, which only compliance decides", "TIMED_OUT", "a reason", "status"],
    ["CLOSED, which only the player decides", "CLOSED", "a reason", "status"],
    ["a blank reason", "BLOCKED", "   ", "reason"],
  ])("refuses %s with BAD_USER_INPUT, writing nothing", async (_label, status, reason, field) => {
    const p = await registerPlayer(svc);
    const res = await svc.graphql(SET_STATUS, { id: p.id, s: status, r: reason }, await svc.tokens.staff(["support"]));
    expect(errorOf(res)).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect([await statusOf(p.id), await statusEvents(p.id)]).toEqual(["ACTIVE", []]);
  });

  it("is refused to players, finance and kyc staff", async () => {
    const p = await registerPlayer(svc);
    for (const token of [p.accessToken, await svc.tokens.staff(["finance"]), await svc.tokens.staff(["kyc"])]) {
      expect(errorOf(await svc.graphql(SET_STATUS, { id: p.id, s: "BLOCKED", r: "x" }, token)).code).toBe("FORBIDDEN");
    }
    expect(await statusOf(p.id)).toBe("ACTIVE");
  });

  it("refuses to activate an account that is not blocked (CONFLICT), so staff cannot lift a self-exclusion", async () => {
    const p = await registerPlayer(svc);
    const res = await svc.graphql(SET_STATUS, { id: p.id, s: "ACTIVE", r: "why not" }, await svc.tokens.staff(["support"]));
    expect(errorOf(res)).toMatchObject({ code: "CONFLICT", status: "ACTIVE" });
  });
});

describe("closeAccount", () => {
  it("closes the player's own account: status CLOSED, event, every session ended, no more logins", async () => {
    const p = await registerPlayer(svc);
    const res = dataOf(await svc.graphql(`mutation { closeAccount(reason: "taking a break from gambling for good") { id status } }`, {}, p.accessToken));
    expect(res).toEqual({ closeAccount: { id: p.id, status: "CLOSED" } });
    expect(await statusEvents(p.id)).toEqual([{ playerId: p.id, status: "CLOSED", reason: "taking a break from gambling for good", changedAt: expect.any(String) }]);
    expect(errorOf(await svc.graphql(LOGIN, { e: p.email, p: PASSWORD })).code).toBe("ACCOUNT_DISABLED");
    expect(await svc.runtime.prisma.authSession.count({ where: { subjectId: p.id, revokedAt: null } })).toBe(0);
    const reopen = await svc.graphql(SET_STATUS, { id: p.id, s: "ACTIVE", r: "reopen" }, await svc.tokens.staff(["support"]));
    expect(errorOf(reopen).code).toBe("CONFLICT");
  });

  it("is for players only", async () => {
    expect(errorOf(await svc.graphql(`mutation { closeAccount { id } }`, {}, await svc.tokens.staff(["support"]))).code).toBe("FORBIDDEN");
  });
});

describe("mirroring compliance.restrictions_changed", () => {
  it("mirrors TIMED_OUT and SELF_EXCLUDED once per event id, and ignores decisions older than the one mirrored", async () => {
    const p = await registerPlayer(svc);
    const t0 = new Date();
    const timedOut = restrictionsChanged(p.id, ["TIMED_OUT"], t0);
    await svc.runtime.bus.publish([timedOut]);
    await waitUntil("TIMED_OUT", async () => (await statusOf(p.id)) === "TIMED_OUT");

    // Redelivered with the same id (and, to prove it is skipped, another payload): nothing changes.
    await svc.runtime.bus.publish([{ ...timedOut, payload: { ...timedOut.payload, reasons: [] } }]);
    const excluded = restrictionsChanged(p.id, ["SELF_EXCLUDED", "TIMED_OUT"], new Date(t0.getTime() + 1_000));
    await svc.runtime.bus.publish([excluded]);
    await waitUntil("SELF_EXCLUDED", async () => (await statusOf(p.id)) === "SELF_EXCLUDED");
    expect(await processed(timedOut.id)).toBe(1);

    const stale = restrictionsChanged(p.id, [], new Date(t0.getTime() - 60_000));
    await svc.runtime.bus.publish([stale]);
    await waitUntil("the stale event to be consumed", async () => (await processed(stale.id)) === 1);
    expect(await statusOf(p.id)).toBe("SELF_EXCLUDED");
    expect((await statusEvents(p.id)).map((e) => e as { status: string; reason: string })).toEqual([
      { playerId: p.id, status: "TIMED_OUT", reason: "compliance: TIMED_OUT", changedAt: expect.any(String) },
      { playerId: p.id, status: "SELF_EXCLUDED", reason: "compliance: SELF_EXCLUDED, TIMED_OUT", changedAt: expect.any(String) },
    ]);
    // A self-excluded player still logs in (to see their account and limits); status tells the others.
    expect(dataOf(await svc.graphql(LOGIN, { e: p.email, p: PASSWORD }))).toBeTruthy();
    const me = dataOf(await svc.graphql<{ me: { status: string } }>(`{ me { status } }`, {}, p.accessToken));
    expect(me.me.status).toBe("SELF_EXCLUDED");
  });

  it("keeps a blocked player blocked when a restriction ends, and unblocking restores what compliance says", async () => {
    const p = await registerPlayer(svc);
    const support = await svc.tokens.staff(["support"]);
    const t0 = new Date();
    const timedOut = restrictionsChanged(p.id, ["TIMED_OUT"], t0);
    await svc.runtime.bus.publish([timedOut]);
    await waitUntil("TIMED_OUT", async () => (await statusOf(p.id)) === "TIMED_OUT");
    dataOf(await svc.graphql(SET_STATUS, { id: p.id, s: "BLOCKED", r: "investigation" }, support));

    const lifted = restrictionsChanged(p.id, [], new Date(t0.getTime() + 1_000));
    await svc.runtime.bus.publish([lifted]);
    await waitUntil("the lifting event to be consumed", async () => (await processed(lifted.id)) === 1);
    const row = await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: p.id } });
    expect([row.status, row.restriction]).toEqual(["BLOCKED", "NONE"]);
    expect(dataOf(await svc.graphql(SET_STATUS, { id: p.id, s: "ACTIVE", r: "investigation closed" }, support))).toEqual({ setPlayerStatus: { id: p.id, status: "ACTIVE" } });
  });
});
