import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { playerService } from "../src/service.ts";

const ADMIN = { email: "root@casino.test", password: "admin-password-123" };
let svc: TestService<PrismaClient>;

beforeAll(async () => {
  svc = await startTestService(playerService, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
});
afterAll(async () => {
  await svc.stop();
});

type Auth = { accessToken: string; refreshToken: string; expiresIn: number };
const REGISTER = `mutation($input: RegisterPlayerInput!) { registerPlayer(input: $input) { accessToken refreshToken expiresIn tokenType } }`;
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const ME = `{ me { id email dateOfBirth country currency status kycStatus } }`;

const newPlayer = (overrides: Record<string, string> = {}) => ({
  email: `p-${randomUUID()}@example.com`,
  password: "correct horse battery",
  dateOfBirth: "1990-04-23",
  country: "GB",
  currency: "GBP",
  ...overrides,
});

async function register(input = newPlayer()): Promise<Auth & { email: string }> {
  const res = await svc.graphql<{ registerPlayer: Auth }>(REGISTER, { input });
  expect(res.errors).toBeUndefined();
  return { ...res.data!.registerPlayer, email: input.email };
}

describe("registration", () => {
  it("registers a player, signs them in and publishes player.registered through the outbox", async () => {
    const auth = await register(newPlayer({ email: "  Mixed.Case@Example.com ".replace("Mixed", `M${randomUUID().slice(0, 6)}`) }));
    const me = await svc.graphql<{ me: { id: string; email: string } }>(ME, {}, auth.accessToken);
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ dateOfBirth: "1990-04-23", country: "GB", currency: "GBP", status: "ACTIVE", kycStatus: "UNVERIFIED" });
    expect(me.data?.me.email).toBe(me.data?.me.email.toLowerCase());
    const events = await svc.runtime.prisma.outboxEvent.findMany({ where: { playerId: me.data!.me.id } });
    expect(events.map((e) => e.type)).toEqual(["player.registered"]);
    expect(events[0]!.payload).toEqual({
      playerId: me.data!.me.id,
      email: me.data!.me.email,
      country: "GB",
      currency: "GBP",
      dateOfBirth: "1990-04-23",
      firstName: null,
      lastName: null,
      addressLine1: null,
      addressLine2: null,
      city: null,
      postcode: null,
      // No GAMSTOP screening: no compliance configured in this test, and no names or postcode given.
      gamstop: null,
    });
    const stored = await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: me.data!.me.id } });
    expect(stored.passwordHash.startsWith("$argon2id$")).toBe(true);
  });

  it("refuses a duplicate email with a message that does not say the account exists", async () => {
    const first = newPlayer();
    await register(first);
    const res = await svc.graphql(REGISTER, { input: { ...first, email: first.email.toUpperCase() } });
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.message).not.toMatch(/exist|taken|already/i);
  });

  it.each([
    ["under 18", { dateOfBirth: new Date(Date.now() - 17 * 365 * 86_400_000).toISOString().slice(0, 10) }, "dateOfBirth"],
    ["an impossible date", { dateOfBirth: "1990-02-30" }, "dateOfBirth"],
    ["an unknown country", { country: "XX" }, "country"],
    ["an unsupported currency", { currency: "ABC" }, "currency"],
    ["a short password", { password: "short" }, "password"],
    ["a malformed email", { email: "not-an-email" }, "email"],
  ])("refuses %s with BAD_USER_INPUT naming the field, writing nothing", async (_label, overrides, field) => {
    const before = await svc.runtime.prisma.player.count();
    const res = await svc.graphql(REGISTER, { input: newPlayer(overrides) });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await svc.runtime.prisma.player.count()).toBe(before);
  });
});

describe("login and sessions", () => {
  it("logs in with the right password only, without revealing which part was wrong", async () => {
    const p = await register();
    const ok = await svc.graphql<{ login: Auth }>(LOGIN, { email: p.email, password: "correct horse battery" });
    expect(ok.data?.login.accessToken).toEqual(expect.any(String));
    const wrong = await svc.graphql(LOGIN, { email: p.email, password: "wrong horse battery" });
    const unknown = await svc.graphql(LOGIN, { email: `nobody-${randomUUID()}@example.com`, password: "whatever-password" });
    expect(wrong.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(unknown.errors?.[0]?.message).toBe(wrong.errors?.[0]?.message);
  });

  it("rotates refresh tokens and revokes the session when a used one is presented again", async () => {
    const p = await register();
    const first = await svc.graphql<{ refreshToken: Auth }>(REFRESH, { t: p.refreshToken });
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshToken.refreshToken;
    expect(rotated).not.toBe(p.refreshToken);

    const reuse = await svc.graphql(REFRESH, { t: p.refreshToken });
    expect(reuse.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // Reuse means the token leaked: the newer token of the same session stops working too.
    const afterReuse = await svc.graphql(REFRESH, { t: rotated });
    expect(afterReuse.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("logout ends the session", async () => {
    const p = await register();
    const out = await svc.graphql<{ logout: boolean }>(`mutation($t: String!) { logout(refreshToken: $t) }`, { t: p.refreshToken });
    expect(out.data?.logout).toBe(true);
    const res = await svc.graphql(REFRESH, { t: p.refreshToken });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses an unknown refresh token", async () => {
    const res = await svc.graphql(REFRESH, { t: "made-up-token" });
    expect(res.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("staff", () => {
  const STAFF_LOGIN = `mutation($email: String!, $password: String!) { staffLogin(email: $email, password: $password) { accessToken } }`;
  const CREATE = `mutation($input: CreateStaffUserInput!) { createStaffUser(input: $input) { id email roles } }`;

  it("seeds the configured admin, who can create staff with roles", async () => {
    const admin = await svc.graphql<{ staffLogin: Auth }>(STAFF_LOGIN, ADMIN);
    expect(admin.errors).toBeUndefined();
    const token = admin.data!.staffLogin.accessToken;
    const email = `fin-${randomUUID()}@casino.test`;
    const created = await svc.graphql(CREATE, { input: { email, password: "finance-password-1", roles: ["finance"] } }, token);
    expect(created.data).toMatchObject({ createStaffUser: { email, roles: ["finance"] } });

    const fin = await svc.graphql<{ staffLogin: Auth }>(STAFF_LOGIN, { email, password: "finance-password-1" });
    const denied = await svc.graphql(CREATE, { input: { email: `x-${email}`, password: "another-password", roles: ["admin"] } }, fin.data!.staffLogin.accessToken);
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("keeps players out of staff login and staff queries", async () => {
    const p = await register();
    const viaStaff = await svc.graphql(STAFF_LOGIN, { email: p.email, password: "correct horse battery" });
    expect(viaStaff.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const lookup = await svc.graphql(`query($id: ID!) { player(id: $id) { id } }`, { id: randomUUID() }, p.accessToken);
    expect(lookup.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("lets support staff look players up, and nobody read another player's record", async () => {
    const a = await register();
    const b = await register();
    const aId = (await svc.graphql<{ me: { id: string } }>(ME, {}, a.accessToken)).data!.me.id;
    const support = await svc.tokens.staff(["support"]);
    const found = await svc.graphql(`query($id: ID!) { player(id: $id) { id email } }`, { id: aId }, support);
    expect(found.data).toEqual({ player: { id: aId, email: a.email } });
    const entity = await svc.graphql(
      `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Player { email } } }`,
      { reps: [{ __typename: "Player", id: aId }] },
      b.accessToken,
    );
    expect(entity.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("answers UNAUTHENTICATED for me without a token and for a forged one", async () => {
    const anonymous = await svc.graphql(ME);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const forged = await svc.graphql(ME, {}, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
    expect(forged.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(forged.status).toBe(401);
  });
});
