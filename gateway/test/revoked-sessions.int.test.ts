import { randomUUID } from "node:crypto";
import type { Client } from "graphql-ws";
import { InProcessRevocationFeed } from "@casino/kernel/auth/revocations";
import type { RunningGateway } from "../src/gateway.ts";
import {
  balanceMessage,
  bearer,
  closeCodeFor,
  collect,
  post,
  startTestGateway,
  tokens,
  TestLiveChannel,
  waitUntil,
  wsClient,
  type TestSubgraph,
} from "./support/harness.ts";
import { startPlayerSubgraph, startWalletSubgraph } from "./support/subgraphs.ts";

const ME = { query: `{ me { id name } }` };
const BALANCE = `subscription { balanceChanged { playerId version } }`;
const inFifteenMinutes = () => Date.now() + 15 * 60_000;

let player: TestSubgraph;
let wallet: TestSubgraph;
let live: TestLiveChannel;
let feed: InProcessRevocationFeed;
let gateway: RunningGateway;
const gateways: RunningGateway[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  player = await startPlayerSubgraph();
  wallet = await startWalletSubgraph();
  live = new TestLiveChannel();
  feed = new InProcessRevocationFeed();
  await feed.seed([]);
  gateway = await startTestGateway([player, wallet], live, {}, { revocations: feed });
  gateways.push(gateway);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

afterAll(async () => {
  for (const g of gateways) await g.stop();
  await player?.stop();
  await wallet?.stop();
});

function client(token: string): Client {
  const c = wsClient(gateway.wsUrl, { authorization: `Bearer ${token}` });
  clients.push(c);
  return c;
}

describe("access tokens of a revoked session", () => {
  it("are refused over HTTP with UNAUTHENTICATED on the next request, while the player's other session keeps working", async () => {
    const playerId = `p-${randomUUID()}`;
    const [phone, laptop] = [randomUUID(), randomUUID()];
    const phoneToken = await tokens.playerSession(playerId, phone);
    const laptopToken = await tokens.playerSession(playerId, laptop);
    expect((await post(gateway.url, ME, bearer(phoneToken))).body.data).toEqual({ me: { id: playerId, name: expect.any(String) } });

    await feed.revoke([{ sessionId: phone, untilMs: inFifteenMinutes() }]);

    const seenBefore = player.seen.length;
    const refused = await post(gateway.url, ME, bearer(phoneToken));
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]).toMatchObject({ message: "Session has ended", extensions: { code: "UNAUTHENTICATED" } });
    expect(player.seen.length).toBe(seenBefore);
    const other = await post(gateway.url, ME, bearer(laptopToken));
    expect(other.status).toBe(200);
    expect(other.body.data).toEqual({ me: { id: playerId, name: expect.any(String) } });
  });

  it("are accepted again once their entry has lapsed (every token of the session has expired by then)", async () => {
    const playerId = `p-${randomUUID()}`;
    const session = randomUUID();
    const token = await tokens.playerSession(playerId, session);
    await feed.revoke([{ sessionId: session, untilMs: Date.now() + 300 }]);
    expect((await post(gateway.url, ME, bearer(token))).status).toBe(401);
    await waitUntil(() => !gateway.revokedSessions.isRevoked(session), "the entry to lapse");
    expect((await post(gateway.url, ME, bearer(token))).status).toBe(200);
  });

  it("close a live subscription with 4401 and leave the other session's subscription streaming", async () => {
    const playerId = `p-${randomUUID()}`;
    const [revoked, kept] = [randomUUID(), randomUUID()];
    const ended = collect(client(await tokens.playerSession(playerId, revoked)), BALANCE);
    const streaming = collect(client(await tokens.playerSession(playerId, kept)), BALANCE);
    await waitUntil(() => live.listenerCount(playerId) === 2, "both subscriptions");
    await live.publish(balanceMessage(playerId, 1));
    await waitUntil(() => ended.results.length === 1 && streaming.results.length === 1, "the first update on both");

    await feed.revoke([{ sessionId: revoked, untilMs: inFifteenMinutes() }]);

    await waitUntil(() => ended.errors.length === 1, "the revoked session's connection to close");
    expect(ended.errors[0]).toMatchObject({ code: 4401, reason: "Session ended" });
    await waitUntil(() => live.listenerCount(playerId) === 1, "the revoked subscription to leave the live channel");
    await live.publish(balanceMessage(playerId, 2));
    await waitUntil(() => streaming.results.length === 2, "the second update on the session still open");
    expect(streaming.results.map((r) => r.data)).toEqual([
      { balanceChanged: { playerId, version: 1 } },
      { balanceChanged: { playerId, version: 2 } },
    ]);
    expect(streaming.errors).toEqual([]);
    expect(ended.results).toHaveLength(1);
  });

  it("cannot open a subscription", async () => {
    const session = randomUUID();
    await feed.revoke([{ sessionId: session, untilMs: inFifteenMinutes() }]);
    expect(await closeCodeFor(gateway.wsUrl, { authorization: `Bearer ${await tokens.playerSession(`p-${randomUUID()}`, session)}` })).toBe(4401);
  });

  it("are refused by a gateway started after the revocation", async () => {
    const session = randomUUID();
    await feed.revoke([{ sessionId: session, untilMs: inFifteenMinutes() }]);
    const later = await startTestGateway([player, wallet], live, {}, { revocations: feed });
    gateways.push(later);
    const res = await post(later.url, ME, bearer(await tokens.playerSession(`p-${randomUUID()}`, session)));
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("a gateway whose revocation feed is not complete", () => {
  it("refuses authenticated requests with SERVICE_UNAVAILABLE and is not ready, serves anonymous ones, and recovers once seeded", async () => {
    const unseeded = new InProcessRevocationFeed();
    const blind = await startTestGateway([player, wallet], live, {}, { revocations: unseeded });
    gateways.push(blind);
    const token = await tokens.player(`p-${randomUUID()}`);

    const refused = await post(blind.url, ME, bearer(token));
    expect(refused.status).toBe(503);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect((await fetch(blind.url.replace("/graphql", "/readyz"))).status).toBe(503);
    expect(await closeCodeFor(blind.wsUrl, { authorization: `Bearer ${token}` })).toBe(1013);
    const anonymous = await post(blind.url, ME);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data).toEqual({ me: null });

    await unseeded.seed([]);
    expect((await post(blind.url, ME, bearer(token))).status).toBe(200);
    expect((await fetch(blind.url.replace("/graphql", "/readyz"))).status).toBe(200);
  });
});
