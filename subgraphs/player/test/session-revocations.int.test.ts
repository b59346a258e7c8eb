import { jest } from "@jest/globals";
import { decodeJwt } from "jose";
import { InProcessRevocationFeed, type RevokedSession } from "@casino/kernel/auth/revocations";
import { createLogger } from "@casino/kernel/logger";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { playerService } from "../src/service.ts";
import { REVOCATION_MARGIN_MS, SessionRevocations } from "../src/session-revocations.ts";
import { dataOf, errorOf } from "./support/graphql-data.ts";
import { PASSWORD, registerPlayer } from "./support/register-player.ts";

const ACCESS_TTL_MS = 900_000;
const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`;
const LOGOUT = `mutation($t: String!) { logout(refreshToken: $t) }`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;

let svc: TestService<PrismaClient>;
/** Every revocation the service published, as a gateway following the feed sees them. */
const published = new Map<string, number>();
let unfollow: () => Promise<void>;

beforeAll(async () => {
  svc = await startTestService(playerService);
  const record = (entries: readonly RevokedSession[]) => entries.forEach((e) => published.set(e.sessionId, e.untilMs));
  unfollow = await svc.runtime.revocations.follow({ snapshot: record, revoked: record, unavailable: () => undefined });
});
afterAll(async () => {
  await unfollow?.();
  await svc.stop();
});

const sessionOf = (accessToken: string) => decodeJwt(accessToken).sid as string;
const revokedAtOf = async (sessionId: string) => (await svc.runtime.prisma.authSession.findUniqueOrThrow({ where: { id: sessionId } })).revokedAt;
const isPublished = (sessionId: string) => waitUntil(`session ${sessionId} to be published as revoked`, () => published.has(sessionId), 5_000);

async function login(email: string): Promise<{ accessToken: string; refreshToken: string }> {
  return dataOf(await svc.graphql<{ login: { accessToken: string; refreshToken: string } }>(LOGIN, { e: email, p: PASSWORD })).login;
}

describe("every way a session ends tells the gateways", () => {
  it("logout: that session only, until its last access token has expired", async () => {
    const p = await registerPlayer(svc);
    const other = await login(p.email);
    expect(dataOf(await svc.graphql(LOGOUT, { t: p.refreshToken }))).toEqual({ logout: true });

    const session = sessionOf(p.accessToken);
    await isPublished(session);
    const revokedAt = await revokedAtOf(session);
    expect(published.get(session)).toBe(revokedAt!.getTime() + ACCESS_TTL_MS + REVOCATION_MARGIN_MS);
    expect(published.has(sessionOf(other.accessToken))).toBe(false);
    expect(await revokedAtOf(sessionOf(other.accessToken))).toBeNull();
  });

  it("the player revoking one of their sessions, and support staff revoking one", async () => {
    const p = await registerPlayer(svc);
    const second = await login(p.email);
    const third = await login(p.email);
    dataOf(await svc.graphql(`mutation($id: ID!) { revokeSession(id: $id) }`, { id: sessionOf(second.accessToken) }, p.accessToken));
    await isPublished(sessionOf(second.accessToken));
    const support = await svc.tokens.staff(["support"]);
    dataOf(await svc.graphql(`mutation($p: ID!, $s: ID!) { revokePlayerSession(playerId: $p, sessionId: $s) }`, { p: p.id, s: sessionOf(third.accessToken) }, support));
    await isPublished(sessionOf(third.accessToken));
    expect(published.has(sessionOf(p.accessToken))).toBe(false);
  });

  it("a staff block and the player closing the account: every open session of that player, no one else's", async () => {
    const blocked = await registerPlayer(svc);
    const blockedSecond = await login(blocked.email);
    const bystander = await registerPlayer(svc);
    const support = await svc.tokens.staff(["support"]);
    dataOf(await svc.graphql(`mutation($id: ID!) { setPlayerStatus(playerId: $id, status: BLOCKED, reason: "fraud suspected") { status } }`, { id: blocked.id }, support));
    await isPublished(sessionOf(blocked.accessToken));
    await isPublished(sessionOf(blockedSecond.accessToken));

    const closing = await registerPlayer(svc);
    dataOf(await svc.graphql(`mutation { closeAccount(reason: "done") { status } }`, {}, closing.accessToken));
    await isPublished(sessionOf(closing.accessToken));
    expect(published.has(sessionOf(bystander.accessToken))).toBe(false);
  });

  it("refresh-token reuse, the access tokens of the newer refresh included", async () => {
    const p = await registerPlayer(svc);
    const rotated = dataOf(await svc.graphql<{ refreshToken: { accessToken: string } }>(REFRESH, { t: p.refreshToken })).refreshToken;
    expect(errorOf(await svc.graphql(REFRESH, { t: p.refreshToken })).code).toBe("UNAUTHENTICATED");
    await isPublished(sessionOf(rotated.accessToken));
    expect(sessionOf(rotated.accessToken)).toBe(sessionOf(p.accessToken));
  });
});

describe("when the revocation feed cannot be reached", () => {
  it("logout answers SERVICE_UNAVAILABLE and changes nothing, so a retry can succeed", async () => {
    const p = await registerPlayer(svc);
    const revoke = jest.spyOn(svc.runtime.revocations, "revoke").mockRejectedValueOnce(new Error("connection lost"));
    try {
      expect(errorOf(await svc.graphql(LOGOUT, { t: p.refreshToken })).code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      revoke.mockRestore();
    }
    expect(await revokedAtOf(sessionOf(p.accessToken))).toBeNull();
    expect(dataOf(await svc.graphql(LOGOUT, { t: p.refreshToken }))).toEqual({ logout: true });
    await isPublished(sessionOf(p.accessToken));
  });

  it("refresh-token reuse still revokes in the database, and the next reseed tells the gateways", async () => {
    const p = await registerPlayer(svc);
    dataOf(await svc.graphql(REFRESH, { t: p.refreshToken }));
    const revoke = jest.spyOn(svc.runtime.revocations, "revoke").mockRejectedValueOnce(new Error("connection lost"));
    try {
      expect(errorOf(await svc.graphql(REFRESH, { t: p.refreshToken })).code).toBe("UNAUTHENTICATED");
    } finally {
      revoke.mockRestore();
    }
    const session = sessionOf(p.accessToken);
    expect(await revokedAtOf(session)).not.toBeNull();
    expect(published.has(session)).toBe(false);
    await waitUntil("the reseed to publish the session", () => published.has(session), 15_000);
  });
});

describe("seeding from the database", () => {
  it("the feed is seeded when the service starts", async () => {
    expect(await svc.runtime.revocations.isSeeded()).toBe(true);
  });

  it("publishes the sessions revoked within an access token's lifetime (and the margin), not older ones", async () => {
    const recent = await registerPlayer(svc);
    const old = await registerPlayer(svc);
    dataOf(await svc.graphql(LOGOUT, { t: recent.refreshToken }));
    dataOf(await svc.graphql(LOGOUT, { t: old.refreshToken }));
    const longAgo = new Date(Date.now() - ACCESS_TTL_MS - REVOCATION_MARGIN_MS - 1_000);
    await svc.runtime.prisma.authSession.update({ where: { id: sessionOf(old.accessToken) }, data: { revokedAt: longAgo } });

    const fresh = new InProcessRevocationFeed();
    const seeded = new Map<string, number>();
    const record = (entries: readonly RevokedSession[]) => entries.forEach((e) => seeded.set(e.sessionId, e.untilMs));
    await fresh.follow({ snapshot: record, revoked: record, unavailable: () => undefined });
    expect(await fresh.isSeeded()).toBe(false);
    await new SessionRevocations(svc.runtime.prisma, fresh, ACCESS_TTL_MS / 1000, createLogger("test", "silent")).seed();

    expect(await fresh.isSeeded()).toBe(true);
    const revokedAt = await revokedAtOf(sessionOf(recent.accessToken));
    expect(seeded.get(sessionOf(recent.accessToken))).toBe(revokedAt!.getTime() + ACCESS_TTL_MS + REVOCATION_MARGIN_MS);
    expect(seeded.has(sessionOf(old.accessToken))).toBe(false);
  });
});
