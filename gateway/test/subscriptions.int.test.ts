import type { Client } from "graphql-ws";
import type { RunningGateway } from "../src/gateway.ts";
import {
  balanceMessage,
  closeCodeFor,
  collect,
  sleep,
  startTestGateway,
  tokens,
  TestLiveChannel,
  waitUntil,
  wsClient,
  type TestSubgraph,
} from "./support/harness.ts";
import { playerName, startPlayerSubgraph, startWalletSubgraph, type WalletState } from "./support/subgraphs.ts";

let player: TestSubgraph;
let wallet: TestSubgraph & { state: WalletState };
let live: TestLiveChannel;
let gateway: RunningGateway;
const clients: Client[] = [];

beforeAll(async () => {
  player = await startPlayerSubgraph();
  wallet = await startWalletSubgraph();
  live = new TestLiveChannel();
  gateway = await startTestGateway([player, wallet], live);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
  await waitUntil(() => live.listenerCount() === 0, "every live listener to be removed");
  wallet.state.twinCalls.length = 0;
  wallet.state.twinDelayMs = 0;
});

afterAll(async () => {
  await gateway?.stop();
  await player?.stop();
  await wallet?.stop();
});

async function playerClient(playerId: string): Promise<Client> {
  const client = wsClient(gateway.wsUrl, { authorization: `Bearer ${await tokens.player(playerId)}` });
  clients.push(client);
  return client;
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(" ").pop()) : 0;
}

const PAYLOAD_QUERY = `subscription { balanceChanged { playerId version balance { amount currency } } }`;

describe("subscription connection auth", () => {
  it("closes a connection without a token with 4401", async () => {
    expect(await closeCodeFor(gateway.wsUrl, undefined)).toBe(4401);
  });

  it.each([
    ["a forged token", () => tokens.forgedPlayer("p1")],
    ["an expired token", () => tokens.expiredPlayer("p1")],
  ])("closes a connection with %s with 4401", async (_name, token) => {
    expect(await closeCodeFor(gateway.wsUrl, { authorization: `Bearer ${await token()}` })).toBe(4401);
  });

  it("closes a connection with 4401 when its token expires", async () => {
    const client = wsClient(gateway.wsUrl, { authorization: `Bearer ${await tokens.shortLivedPlayer("short", 2)}` });
    clients.push(client);
    const sub = collect(client, PAYLOAD_QUERY);
    await waitUntil(() => live.listenerCount("short") === 1, "subscription");
    await waitUntil(() => sub.errors.length === 1, "the connection to close", 5_000);
    expect(sub.errors[0]).toMatchObject({ code: 4401, reason: "Token expired" });
    expect(live.listenerCount("short")).toBe(0);
  });

  it("closes a staff connection with 4403: these subscriptions are player-only", async () => {
    expect(await closeCodeFor(gateway.wsUrl, { Authorization: `Bearer ${await tokens.staff(["admin"])}` })).toBe(4403);
  });
});

describe("balance subscriptions", () => {
  it("delivers a player's own updates from the message alone, and never another player's", async () => {
    const alice = collect(await playerClient("alice"), PAYLOAD_QUERY);
    const bob = collect(await playerClient("bob"), PAYLOAD_QUERY);
    await waitUntil(() => live.listenerCount("alice") === 1 && live.listenerCount("bob") === 1, "both subscriptions");

    await live.publish(balanceMessage("bob", 7));
    // A message claiming to be Bob's that reached Alice's channel (a routing bug) must not leak.
    live.deliverTo("alice", balanceMessage("bob", 8));
    await live.publish(balanceMessage("alice", 1));
    await waitUntil(() => alice.results.length === 1 && bob.results.length === 1, "one message each");
    await sleep(50);

    expect(alice.results).toEqual([
      { data: { balanceChanged: { playerId: "alice", version: 1, balance: { amount: "1.00", currency: "GBP" } } } },
    ]);
    expect(bob.results).toEqual([{ data: { balanceChanged: { playerId: "bob", version: 7, balance: { amount: "7.00", currency: "GBP" } } } }]);
    expect(wallet.state.twinCalls).toEqual([]);
    expect(await metric("gateway_subscription_messages_total", 'outcome="dropped"')).toBeGreaterThanOrEqual(1);
  });

  it("answers from the payload through aliases and fragments", async () => {
    const sub = collect(
      await playerClient("carol"),
      `subscription Bal { bal: balanceChanged { ...B ... on BalanceUpdate { all: balances { currency } } } }
       fragment B on BalanceUpdate { v: version __typename }`,
    );
    await waitUntil(() => live.listenerCount("carol") === 1, "subscription");
    await live.publish(balanceMessage("carol", 3));
    await waitUntil(() => sub.results.length === 1, "the update");
    expect(sub.results[0]).toEqual({ data: { bal: { v: 3, __typename: "BalanceUpdate", all: [{ currency: "GBP" }] } } });
    expect(wallet.state.twinCalls).toEqual([]);
  });

  it("refetches fields the message lacks through the twin query, under the subscriber's token", async () => {
    const token = await tokens.player("dave");
    const client = wsClient(gateway.wsUrl, { authorization: `Bearer ${token}` });
    clients.push(client);
    const sub = collect(client, `subscription { b: balanceChanged { version lastTransactionAt player { name } balance { currency } } }`);
    await waitUntil(() => live.listenerCount("dave") === 1, "subscription");
    wallet.state.versions.set("dave", 4);
    await live.publish(balanceMessage("dave", 4, "4.00", "EUR"));
    await waitUntil(() => sub.results.length === 1, "the refetched update");

    // Same shape as the subscription (alias kept), with a field from a second subgraph.
    expect(sub.results[0]).toEqual({ data: { b: { version: 4, lastTransactionAt: "t4", player: { name: playerName("dave") }, balance: { currency: "EUR" } } } });
    // The player id comes from the token; the currency from the message.
    expect(wallet.state.twinCalls).toEqual([{ playerId: "dave", currency: "EUR", authorization: `Bearer ${token}` }]);
    expect(player.seen.at(-1)?.authorization).toBe(`Bearer ${token}`);
    expect(await metric("gateway_subscription_refetches_total", 'topic="balanceChanged"')).toBeGreaterThanOrEqual(1);
  });

  it("coalesces a burst for a consumer that has not taken a message yet: the newest wins", async () => {
    const sub = collect(await playerClient("erin"), PAYLOAD_QUERY);
    await waitUntil(() => live.listenerCount("erin") === 1, "subscription");
    const coalescedBefore = await metric("gateway_subscription_messages_total", 'outcome="coalesced"');
    for (let v = 1; v <= 50; v++) live.publishNow(balanceMessage("erin", v));
    await waitUntil(() => sub.results.length >= 1, "an update");
    await sleep(100);
    expect(sub.results.length).toBeLessThan(5);
    expect(sub.results.at(-1)).toMatchObject({ data: { balanceChanged: { version: 50 } } });
    expect((await metric("gateway_subscription_messages_total", 'outcome="coalesced"')) - coalescedBefore).toBeGreaterThanOrEqual(45);
  });

  it("coalesces updates that arrive while a slow refetch is running and ends on the newest", async () => {
    wallet.state.twinDelayMs = 100;
    const sub = collect(await playerClient("frank"), `subscription { balanceChanged { version lastTransactionAt } }`);
    await waitUntil(() => live.listenerCount("frank") === 1, "subscription");
    const started = Date.now();
    for (let v = 1; v <= 50; v++) {
      wallet.state.versions.set("frank", v);
      await live.publish(balanceMessage("frank", v));
      await sleep(1);
    }
    await waitUntil(() => (sub.results.at(-1)?.data as { balanceChanged?: { version: number } } | undefined)?.balanceChanged?.version === 50, "the newest version", 10_000);
    await sleep(250);
    const elapsed = Date.now() - started;
    // One refetch at a time per subscription, each at least 100 ms: the rest were coalesced away.
    expect(sub.results.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
    expect(sub.results.length).toBeLessThan(25);
    expect(wallet.state.twinCalls.length).toBe(sub.results.length);
    expect(sub.results.at(-1)).toEqual({ data: { balanceChanged: { version: 50, lastTransactionAt: "t50" } } });
  });

  it("removes the live listener when the client unsubscribes, and when it disconnects", async () => {
    const client = await playerClient("gina");
    const first = collect(client, PAYLOAD_QUERY);
    const second = collect(client, PAYLOAD_QUERY);
    await waitUntil(() => live.listenerCount("gina") === 2, "two subscriptions");
    expect(gateway.subscriptions.openSubscriptions).toBe(2);
    expect(await metric("gateway_subscriptions_open", 'topic="balanceChanged"')).toBe(2);

    first.unsubscribe();
    await waitUntil(() => live.listenerCount("gina") === 1, "the unsubscribed listener to go");
    await client.dispose();
    await waitUntil(() => live.listenerCount("gina") === 0, "the disconnected listener to go");
    expect(gateway.subscriptions.openSubscriptions).toBe(0);
    expect(await metric("gateway_subscriptions_open", 'topic="balanceChanged"')).toBe(0);
    expect(second.errors).toEqual([]);
  });

  it("applies the HTTP abuse limits to subscription documents", async () => {
    let selection = "name";
    for (let i = 0; i < 12; i++) selection = `friends(limit: 1) { ${selection} }`;
    const sub = collect(await playerClient("hank"), `subscription { balanceChanged { player { ${selection} } } }`);
    await waitUntil(() => sub.errors.length === 1, "the validation error");
    expect(sub.errors[0]).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "GRAPHQL_VALIDATION_FAILED", limit: "depth" }) })]);
    expect(live.listenerCount("hank")).toBe(0);
  });

  it("refuses queries over the WebSocket", async () => {
    const sub = collect(await playerClient("ivy"), `{ me { id } }`);
    await waitUntil(() => sub.completed, "completion");
    expect(sub.results).toEqual([{ errors: [expect.objectContaining({ extensions: { code: "BAD_REQUEST" } })] }]);
  });
});

describe("reality-check reminders", () => {
  const reminder = (playerId: string, n: number) => ({
    topic: "realityCheck",
    playerId,
    eventId: `rc-${playerId}-${n}`,
    payload: {
      playerId,
      sessionStartedAt: "2026-11-29T10:00:00.000Z",
      elapsedMinutes: 15 * n,
      stakes: { amount: "5.00", currency: "GBP" },
      wins: { amount: "1.50", currency: "GBP" },
      netPosition: { amount: "-3.50", currency: "GBP" },
      reminder: n,
      at: "2026-11-29T10:15:00.000Z",
    },
  });

  it("delivers every reminder of the live topic to its player, in order, and none of another player's", async () => {
    const client = await playerClient("p-rc");
    const sub = collect(client, `subscription { realityCheck { reminder elapsedMinutes netPosition { amount currency } } }`);
    await waitUntil(() => live.listenerCount("p-rc") === 1, "the reality-check listener");
    await live.publish(reminder("someone-else", 1));
    await live.publish(reminder("p-rc", 1));
    await live.publish(reminder("p-rc", 2));
    await waitUntil(() => sub.results.length === 2, "two reminders");
    await sleep(100);
    expect(sub.results.map((r) => r.data)).toEqual([
      { realityCheck: { reminder: 1, elapsedMinutes: 15, netPosition: { amount: "-3.50", currency: "GBP" } } },
      { realityCheck: { reminder: 2, elapsedMinutes: 30, netPosition: { amount: "-3.50", currency: "GBP" } } },
    ]);
  });
});
