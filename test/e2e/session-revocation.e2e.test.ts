import { randomUUID } from "node:crypto";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { collect, gql, until } from "../support/gateway-client.ts";
import { ADMIN, startTestPlatform, type TestPlatform } from "../support/platform.ts";

let platform: TestPlatform;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  platform = await startTestPlatform();
  url = platform.gatewayUrl;
}, 180_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await platform?.stop();
});

type Auth = { accessToken: string; refreshToken: string };
type BalanceEvent = { balanceChanged: { version: number } };

const PASSWORD = "a long enough passphrase";
const REGISTER = `mutation($input: RegisterPlayerInput!) { registerPlayer(input: $input) { accessToken refreshToken } }`;
const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }`;
const STAFF_LOGIN = `mutation($e: String!, $p: String!) { staffLogin(email: $e, password: $p) { accessToken } }`;
const ME = `{ me { id } }`;

/** A subscription client that records its close code and when the server acknowledged it. */
function liveClient(token: string): { client: Client; closeCodes: number[]; connected: () => boolean } {
  const closeCodes: number[] = [];
  let acknowledged = false;
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: { connected: () => void (acknowledged = true), closed: (event) => void closeCodes.push((event as { code: number }).code) },
  });
  clients.push(client);
  return { client, closeCodes, connected: () => acknowledged };
}

async function credit(admin: string, playerId: string, key: string): Promise<void> {
  await until("the wallet to accept the credit", async () => {
    const res = await gql(
      url,
      `mutation($p: ID!, $k: String!) { adjustBalance(playerId: $p, amount: { amount: "1.00", currency: "GBP" }, reason: "e2e revocation", idempotencyKey: $k) { id } }`,
      { p: playerId, k: key },
      admin,
    );
    return res.errors?.[0]?.extensions?.code === "NOT_FOUND" ? undefined : (expect(res.errors).toBeUndefined(), true);
  });
}

describe("an access token stops working when its session is revoked", () => {
  it("logout: the token is refused on the next request and its subscription is closed; the player's other session keeps working until staff block the account", async () => {
    const email = `e2e-${randomUUID()}@example.com`;
    const registered = await gql<{ registerPlayer: Auth }>(url, REGISTER, { input: { email, password: PASSWORD, dateOfBirth: "1988-07-14", country: "GB", currency: "GBP" } });
    expect(registered.errors).toBeUndefined();
    const phone = registered.data!.registerPlayer;
    const laptop = (await gql<{ login: Auth }>(url, LOGIN, { e: email, p: PASSWORD })).data!.login;
    const playerId = (await gql<{ me: { id: string } }>(url, ME, {}, phone.accessToken)).data!.me.id;
    const admin = (await gql<{ staffLogin: { accessToken: string } }>(url, STAFF_LOGIN, { e: ADMIN.email, p: ADMIN.password })).data!.staffLogin.accessToken;

    const phoneLive = liveClient(phone.accessToken);
    const laptopLive = liveClient(laptop.accessToken);
    const onPhone = collect<BalanceEvent>(phoneLive.client, `subscription { balanceChanged { version } }`);
    const onLaptop = collect<BalanceEvent>(laptopLive.client, `subscription { balanceChanged { version } }`);
    await until("both subscriptions to be acknowledged", async () => phoneLive.connected() && laptopLive.connected());
    await credit(admin, playerId, `e2e-revoke-${randomUUID()}`);
    await until("the first update on both sessions", async () => onPhone.events.length >= 1 && onLaptop.events.length >= 1);

    const out = await gql<{ logout: boolean }>(url, `mutation($t: String!) { logout(refreshToken: $t) }`, { t: phone.refreshToken });
    expect(out.data).toEqual({ logout: true });

    const refused = await gql(url, ME, {}, phone.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await until("the logged-out session's subscription to close", async () => phoneLive.closeCodes.length > 0);
    expect(phoneLive.closeCodes).toEqual([4401]);

    const still = await gql<{ me: { id: string } }>(url, ME, {}, laptop.accessToken);
    expect(still.data).toEqual({ me: { id: playerId } });
    const phoneEvents = onPhone.events.length;
    await credit(admin, playerId, `e2e-revoke-${randomUUID()}`);
    await until("the second update on the open session", async () => onLaptop.events.length >= 2);
    expect(onPhone.events).toHaveLength(phoneEvents);

    const blocked = await gql(url, `mutation($p: ID!) { setPlayerStatus(playerId: $p, status: BLOCKED, reason: "e2e") { status } }`, { p: playerId }, admin);
    expect(blocked.errors).toBeUndefined();
    const afterBlock = await gql(url, ME, {}, laptop.accessToken);
    expect(afterBlock.status).toBe(401);
    expect(afterBlock.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await until("the blocked player's subscription to close", async () => laptopLive.closeCodes.length > 0);
    expect(laptopLive.closeCodes).toEqual([4401]);
  });
});
