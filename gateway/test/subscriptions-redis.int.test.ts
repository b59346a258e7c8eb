import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Client } from "graphql-ws";
import { RedisLiveChannel } from "@casino/kernel/events/redis";
import { createLogger } from "@casino/kernel/logger";
import type { RunningGateway } from "../src/gateway.ts";
import { balanceMessage, collect, startTestGateway, tokens, waitUntil, wsClient, type Collected, type TestSubgraph } from "./support/harness.ts";
import { startPlayerSubgraph, startWalletSubgraph } from "./support/subgraphs.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:gateway:${randomUUID()}:`;
const log = createLogger("gateway-test", "silent");

let player: TestSubgraph;
let wallet: TestSubgraph;
const channels: RedisLiveChannel[] = [];
const gateways: RunningGateway[] = [];
const clients: Client[] = [];
let redis: Redis;

function channel(): RedisLiveChannel {
  const c = new RedisLiveChannel({ url: REDIS_URL, keyPrefix: prefix, log });
  channels.push(c);
  return c;
}

async function subscribers(playerId: string): Promise<number> {
  const reply = (await redis.call("PUBSUB", "NUMSUB", `${prefix}live:${playerId}`)) as [string, number];
  return Number(reply[1]);
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  player = await startPlayerSubgraph();
  wallet = await startWalletSubgraph();
  gateways.push(await startTestGateway([player, wallet], channel()), await startTestGateway([player, wallet], channel()));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const g of gateways) await g.stop();
  for (const c of channels) await c.close();
  await player?.stop();
  await wallet?.stop();
  redis?.disconnect();
});

describe("subscriptions across gateway instances over Redis pub/sub", () => {
  it("delivers one published update to the player's clients on both gateways", async () => {
    const playerId = `p-${randomUUID()}`;
    const query = `subscription { balanceChanged { playerId version } }`;
    const received: Collected[] = [];
    for (const gateway of gateways) {
      const client = wsClient(gateway.wsUrl, { authorization: `Bearer ${await tokens.player(playerId)}` });
      clients.push(client);
      received.push(collect(client, query));
    }
    await waitUntil(async () => (await subscribers(playerId)) === 2, "both gateways to subscribe in Redis");

    await channel().publish(balanceMessage(playerId, 42));

    await waitUntil(() => received.every((r) => r.results.length === 1), "the update on both gateways");
    for (const r of received) expect(r.results).toEqual([{ data: { balanceChanged: { playerId, version: 42 } } }]);

    await Promise.all(clients.splice(0).map((c) => c.dispose()));
    await waitUntil(async () => (await subscribers(playerId)) === 0, "both gateways to leave the Redis channel");
  });
});
