import { randomUUID } from "node:crypto";
import { collect, gql, until, wsClient } from "../support/gateway-client.ts";
import { ADMIN, startTestPlatform, type TestPlatform } from "../support/platform.ts";

let platform: TestPlatform;
let url: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  url = platform.gatewayUrl;
}, 180_000);
afterAll(async () => {
  await platform?.stop();
});

type Auth = { accessToken: string; refreshToken: string };
type BalanceEvent = { balanceChanged: { playerId: string; version: number; balance: { amount: string; currency: string } } };

const REGISTER = `mutation($input: RegisterPlayerInput!) { registerPlayer(input: $input) { accessToken refreshToken } }`;
const STAFF_LOGIN = `mutation($e: String!, $p: String!) { staffLogin(email: $e, password: $p) { accessToken refreshToken } }`;
const ADJUST = `mutation($playerId: ID!, $amount: MoneyInput!, $key: String!) {
  adjustBalance(playerId: $playerId, amount: $amount, reason: "e2e adjustment", idempotencyKey: $key) { id walletVersion balanceAfter { amount currency } }
}`;
const ME = `{ me { id email wallet { balances { amount currency } } } }`;
const SUBSCRIBE = `subscription { balanceChanged { playerId version balance { amount currency } } }`;

async function registerPlayer(currency = "GBP"): Promise<Auth & { email: string; password: string }> {
  const email = `e2e-${randomUUID()}@example.com`;
  const password = "a long enough passphrase";
  const res = await gql<{ registerPlayer: Auth }>(url, REGISTER, { input: { email, password, dateOfBirth: "1988-07-14", country: "GB", currency } });
  expect(res.errors).toBeUndefined();
  return { ...res.data!.registerPlayer, email, password };
}

async function financeToken(): Promise<string> {
  const admin = await gql<{ staffLogin: Auth }>(url, STAFF_LOGIN, { e: ADMIN.email, p: ADMIN.password });
  expect(admin.errors).toBeUndefined();
  const email = `finance-${randomUUID()}@casino.test`;
  const created = await gql(
    url,
    `mutation($input: CreateStaffUserInput!) { createStaffUser(input: $input) { id } }`,
    { input: { email, password: "finance-password-1", roles: ["finance"] } },
    admin.data!.staffLogin.accessToken,
  );
  expect(created.errors).toBeUndefined();
  const login = await gql<{ staffLogin: Auth }>(url, STAFF_LOGIN, { e: email, p: "finance-password-1" });
  return login.data!.staffLogin.accessToken;
}

/** The wallet opens when it consumes player.registered; until then adjustBalance answers NOT_FOUND. */
async function adjustWhenOpen(token: string, playerId: string, amount: string, key: string) {
  return until("the wallet to open and accept the adjustment", async () => {
    const res = await gql<{ adjustBalance: { id: string; walletVersion: number; balanceAfter: { amount: string } } }>(
      url,
      ADJUST,
      { playerId, amount: { amount, currency: "GBP" }, key },
      token,
    );
    if (res.errors?.[0]?.extensions?.code === "NOT_FOUND") return undefined;
    return res;
  });
}

describe("the foundation slice through the gateway", () => {
  it("registers, reads me across player and wallet, and streams the balance a finance user adjusts", async () => {
    const player = await registerPlayer();
    const login = await gql<{ login: Auth }>(url, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`, {
      e: player.email,
      p: player.password,
    });
    expect(login.errors).toBeUndefined();
    const token = login.data!.login.accessToken;

    const me = await gql<{ me: { id: string; email: string; wallet: { balances: Array<{ amount: string; currency: string }> } } }>(url, ME, {}, token);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({ id: expect.any(String), email: player.email, wallet: { balances: [{ amount: "0.00", currency: "GBP" }] } });
    const playerId = me.data!.me.id;

    const client = wsClient(url, token);
    const stream = collect<BalanceEvent>(client, SUBSCRIBE);
    // A second player subscribes too and must see nothing of the first player's money.
    const other = await registerPlayer();
    const otherClient = wsClient(url, other.accessToken);
    const otherStream = collect<BalanceEvent>(otherClient, SUBSCRIBE);
    await new Promise((r) => setTimeout(r, 500));

    const finance = await financeToken();
    const key = randomUUID();
    const adjusted = await adjustWhenOpen(finance, playerId, "25.00", key);
    expect(adjusted.errors).toBeUndefined();
    expect(adjusted.data!.adjustBalance).toMatchObject({ walletVersion: 1, balanceAfter: { amount: "25.00" } });

    const first = await until("the balance update", async () => stream.events.find((e) => e.balanceChanged.version === 1));
    expect(first.balanceChanged).toEqual({ playerId, version: 1, balance: { amount: "25.00", currency: "GBP" } });

    await adjustWhenOpen(finance, playerId, "-5.00", randomUUID());
    const second = await until("the second update", async () => stream.events.find((e) => e.balanceChanged.version === 2));
    expect(second.balanceChanged.balance.amount).toBe("20.00");
    expect(second.balanceChanged.version).toBeGreaterThan(first.balanceChanged.version);

    const after = await gql<{ me: { wallet: { balances: Array<{ amount: string }> } } }>(url, ME, {}, token);
    expect(after.data!.me.wallet.balances).toEqual([{ amount: "20.00", currency: "GBP" }]);

    // Replays return the first transaction; the same key with another amount is refused.
    const replay = await gql<{ adjustBalance: { id: string } }>(url, ADJUST, { playerId, amount: { amount: "25.00", currency: "GBP" }, key }, finance);
    expect(replay.data!.adjustBalance.id).toBe(adjusted.data!.adjustBalance.id);
    const reused = await gql(url, ADJUST, { playerId, amount: { amount: "26.00", currency: "GBP" }, key }, finance);
    expect(reused.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");

    expect(stream.errors).toEqual([]);
    expect(otherStream.events).toEqual([]);
    stream.dispose();
    otherStream.dispose();
    await client.dispose();
    await otherClient.dispose();
  });

  it("feeds reporting from the wallet's events across processes", async () => {
    const player = await registerPlayer();
    const me = await gql<{ me: { id: string } }>(url, `{ me { id } }`, {}, player.accessToken);
    const finance = await financeToken();
    await adjustWhenOpen(finance, me.data!.me.id, "7.25", randomUUID());
    const today = new Date().toISOString().slice(0, 10);
    const report = await until("the daily report to include the adjustment", async () => {
      const res = await gql<{ dailyReports: Array<{ manualAdjustments: { amount: string }; registrations: number }> }>(
        url,
        `query($d: String!) { dailyReports(from: $d, to: $d, currency: "GBP") { manualAdjustments { amount } registrations } }`,
        { d: today },
        finance,
      );
      const row = res.data?.dailyReports[0];
      return row && Number(row.manualAdjustments.amount) >= 7.25 && row.registrations >= 1 ? row : undefined;
    });
    expect(report.registrations).toBeGreaterThanOrEqual(1);
  });
});

describe("bad input at the edge", () => {
  it("answers malformed GraphQL with HTTP 400 and GraphQL errors", async () => {
    const res = await gql(url, "{ me { id ");
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("stops queries deeper than the limit before executing them", async () => {
    // Payment.player -> Player.payments -> Payment.player ... recurses across two subgraphs.
    let selection = "id";
    for (let i = 0; i < 5; i++) selection = `player { payments { edges { node { ${selection} } } } }`;
    const res = await gql(url, `{ payments { edges { node { ${selection} } } } }`);
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.message).toMatch(/depth/i);
  });

  it("answers UNAUTHENTICATED for a missing or invalid token and FORBIDDEN for a wrong role", async () => {
    expect((await gql(url, `{ me { id } }`)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await gql(url, `{ me { id } }`, {}, "not-a-token")).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const player = await registerPlayer();
    const res = await gql(url, ADJUST, { playerId: randomUUID(), amount: { amount: "1.00", currency: "GBP" }, key: "k" }, player.accessToken);
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("answers invalid arguments with BAD_USER_INPUT", async () => {
    const finance = await financeToken();
    const player = await registerPlayer();
    const me = await gql<{ me: { id: string } }>(url, `{ me { id } }`, {}, player.accessToken);
    const res = await gql(url, ADJUST, { playerId: me.data!.me.id, amount: { amount: "1.001", currency: "GBP" }, key: randomUUID() }, finance);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("closes a WebSocket that does not authenticate with 4401", async () => {
    let code = 0;
    const client = wsClient(url, undefined, (c) => (code = c));
    const stream = collect(client, SUBSCRIBE);
    await until("the socket to close", async () => code !== 0);
    expect(code).toBe(4401);
    stream.dispose();
    await client.dispose();
  });

  it("closes a WebSocket opened with a staff token with 4403", async () => {
    let code = 0;
    const client = wsClient(url, await financeToken(), (c) => (code = c));
    const stream = collect(client, SUBSCRIBE);
    await until("the socket to close", async () => code !== 0);
    expect(code).toBe(4403);
    stream.dispose();
    await client.dispose();
  });
});

describe("operations", () => {
  it("serves /healthz, /readyz and Prometheus /metrics on every process", async () => {
    for (const [name, serviceUrl] of Object.entries(platform.urls)) {
      const base = serviceUrl.replace(/\/graphql$/, "");
      const [health, ready, metrics] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`), fetch(`${base}/metrics`)]);
      expect([name, health.status, ready.status, metrics.status]).toEqual([name, 200, 200, 200]);
      expect(await metrics.text()).toContain("process_cpu_seconds_total");
    }
  });
});
