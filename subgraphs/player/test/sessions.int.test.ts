import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
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

type Session = { id: string; createdAt: string; lastUsedAt: string; expiresAt: string; userAgent: string | null; ip: string | null; current: boolean };
const MY_SESSIONS = `{ mySessions { id createdAt lastUsedAt expiresAt userAgent ip current } }`;
const REVOKE = `mutation($id: ID!) { revokeSession(id: $id) }`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`;

async function login(email: string, userAgent: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await fetch(svc.url, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": userAgent },
    body: JSON.stringify({ query: `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`, variables: { e: email, p: PASSWORD } }),
  });
  const body = (await res.json()) as { data: { login: { accessToken: string; refreshToken: string } } };
  return body.data.login;
}

describe("a player's sessions", () => {
  it("lists open sessions newest first, with user agent and address, marking the current one", async () => {
    const p = await registerPlayer(svc, {}, "Phone/1.0");
    const laptop = await login(p.email, "Laptop/2.0");
    const sessions = dataOf(await svc.graphql<{ mySessions: Session[] }>(MY_SESSIONS, {}, laptop.accessToken)).mySessions;
    expect(sessions.map((s) => [s.userAgent, s.current])).toEqual([
      ["Laptop/2.0", true],
      ["Phone/1.0", false],
    ]);
    expect(sessions[0]!.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(new Date(sessions[0]!.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it("revokes one of the player's own sessions: its refresh token stops working, the others keep going", async () => {
    const p = await registerPlayer(svc, {}, "Phone/1.0");
    const laptop = await login(p.email, "Laptop/2.0");
    const sessions = dataOf(await svc.graphql<{ mySessions: Session[] }>(MY_SESSIONS, {}, laptop.accessToken)).mySessions;
    const phone = sessions.find((s) => s.userAgent === "Phone/1.0")!;
    expect(dataOf(await svc.graphql(REVOKE, { id: phone.id }, laptop.accessToken))).toEqual({ revokeSession: true });

    expect(errorOf(await svc.graphql(REFRESH, { t: p.refreshToken })).code).toBe("UNAUTHENTICATED");
    expect(dataOf(await svc.graphql<{ refreshToken: unknown }>(REFRESH, { t: laptop.refreshToken })).refreshToken).toBeTruthy();
    const left = dataOf(await svc.graphql<{ mySessions: Session[] }>(MY_SESSIONS, {}, laptop.accessToken)).mySessions;
    expect(left.map((s) => s.userAgent)).toEqual(["Laptop/2.0"]);
    expect(errorOf(await svc.graphql(REVOKE, { id: phone.id }, laptop.accessToken)).code).toBe("NOT_FOUND");
  });

  it("cannot see or revoke another player's sessions: their ids answer like unknown ones", async () => {
    const a = await registerPlayer(svc);
    const b = await registerPlayer(svc);
    const bSessions = dataOf(await svc.graphql<{ mySessions: Session[] }>(MY_SESSIONS, {}, b.accessToken)).mySessions;
    expect(bSessions).toHaveLength(1);
    expect(errorOf(await svc.graphql(REVOKE, { id: bSessions[0]!.id }, a.accessToken)).code).toBe("NOT_FOUND");
    expect(errorOf(await svc.graphql(REVOKE, { id: "not-a-uuid" }, a.accessToken)).code).toBe("NOT_FOUND");
    expect(dataOf(await svc.graphql(REFRESH, { t: b.refreshToken }))).toBeTruthy();
    const viaEntity = await svc.graphql(`query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Player { sessions { id } } } }`, { reps: [{ __typename: "Player", id: b.id }] }, a.accessToken);
    expect(errorOf(viaEntity).code).toBe("FORBIDDEN");
  });

  it("lets support staff list and revoke a player's sessions; other staff roles may not", async () => {
    const p = await registerPlayer(svc, {}, "Tablet/3.0");
    const support = await svc.tokens.staff(["support"]);
    const PLAYER_SESSIONS = `query($id: ID!) { player(id: $id) { sessions { id userAgent current } } }`;
    const listed = dataOf(await svc.graphql<{ player: { sessions: Array<{ id: string; userAgent: string; current: boolean }> } }>(PLAYER_SESSIONS, { id: p.id }, support));
    expect(listed.player.sessions.map((s) => [s.userAgent, s.current])).toEqual([["Tablet/3.0", false]]);
    const finance = await svc.tokens.staff(["finance"]);
    expect(errorOf(await svc.graphql(PLAYER_SESSIONS, { id: p.id }, finance)).code).toBe("FORBIDDEN");

    const REVOKE_FOR = `mutation($p: ID!, $s: ID!) { revokePlayerSession(playerId: $p, sessionId: $s) }`;
    const sessionId = listed.player.sessions[0]!.id;
    expect(errorOf(await svc.graphql(REVOKE_FOR, { p: p.id, s: sessionId }, await svc.tokens.staff(["kyc"]))).code).toBe("FORBIDDEN");
    expect(errorOf(await svc.graphql(REVOKE_FOR, { p: randomUUID(), s: sessionId }, support)).code).toBe("NOT_FOUND");
    expect(dataOf(await svc.graphql(REVOKE_FOR, { p: p.id, s: sessionId }, support))).toEqual({ revokePlayerSession: true });
    expect(errorOf(await svc.graphql(REFRESH, { t: p.refreshToken })).code).toBe("UNAUTHENTICATED");
    const revoked = await svc.runtime.prisma.authSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(revoked.revokeReason).toMatch(/^revoked by support staff /);
  });

  it("is for players: staff have no mySessions", async () => {
    expect(errorOf(await svc.graphql(MY_SESSIONS, {}, await svc.tokens.staff(["support"]))).code).toBe("FORBIDDEN");
  });
});
