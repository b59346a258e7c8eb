import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Client } from "graphql-ws";
import { RedisRevocationFeed } from "@casino/kernel/auth/revocations-redis";
import { RedisLiveChannel } from "@casino/kernel/events/redis";
import { createLogger } from "@casino/kernel/logger";
import type { RunningGateway } from "../src/gateway.ts";
import { balanceMessage, bearer, collect, post, startTestGateway, tokens, waitUntil, wsClient, type Collected, type TestSubgraph } from "./support/harness.ts";
import { startPlayerSubgraph, startWalletSubgraph } from "./support/subgraphs.ts";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `test:revocations:${randomUUID()}:`;
const log = createLogger("gateway-test", "silent");
const ME = { query: `{ me { id } }` };
const inFifteenMinutes = () => Date.now() + 15 * 60_000;

let player: TestSubgraph;
let wallet: TestSubgraph;
let redis: Redis;
/** What the player service holds: it seeds the store and publishes revocations. */
let writer: RedisRevocationFeed;
const feeds: RedisRevocationFeed[] = [];
const channels: RedisLiveChannel[] = [];
const gateways: RunningGateway[] = [];
const clients: Client[] = [];

function feed(url = REDIS_URL): RedisRevocationFeed {
  const f = new RedisRevocationFeed({ url, keyPrefix: prefix, log, reconcileMs: 200, retryMs: 100 });
  feeds.push(f);
  return f;
}

async function gatewayOverRedis(url = REDIS_URL): Promise<RunningGateway> {
  const live = new RedisLiveChannel({ url: REDIS_URL, keyPrefix: prefix, log });
  channels.push(live);
  const gateway = await startTestGateway([player, wallet], live, {}, { revocations: feed(url) });
  gateways.push(gateway);
  return gateway;
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  player = await startPlayerSubgraph();
  wallet = await startWalletSubgraph();
  writer = feed();
  await writer.seed([]);
  await gatewayOverRedis();
  await gatewayOverRedis();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const g of gateways) await g.stop();
  for (const f of feeds) await f.close();
  for (const c of channels) await c.close();
  await player?.stop();
  await wallet?.stop();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis?.disconnect();
});

describe("session revocations across gateway instances over Redis", () => {
  it("a revocation published once is refused by both gateways on the next request; the other session works on both", async () => {
    const playerId = `p-${randomUUID()}`;
    const [revoked, kept] = [randomUUID(), randomUUID()];
    const revokedToken = await tokens.playerSession(playerId, revoked);
    const keptToken = await tokens.playerSession(playerId, kept);
    for (const g of gateways.slice(0, 2)) expect((await post(g.url, ME, bearer(revokedToken))).status).toBe(200);

    await writer.revoke([{ sessionId: revoked, untilMs: inFifteenMinutes() }]);

    for (const g of gateways.slice(0, 2)) {
      const res = await post(g.url, ME, bearer(revokedToken));
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      const other = await post(g.url, ME, bearer(keptToken));
      expect(other.status).toBe(200);
      expect(other.body.data).toEqual({ me: { id: playerId } });
    }
  });

  it("closes the revoked session's subscriptions on every gateway", async () => {
    const playerId = `p-${randomUUID()}`;
    const session = randomUUID();
    const received: Collected[] = [];
    for (const g of gateways.slice(0, 2)) {
      const c = wsClient(g.wsUrl, { authorization: `Bearer ${await tokens.playerSession(playerId, session)}` });
      clients.push(c);
      received.push(collect(c, `subscription { balanceChanged { version } }`));
    }
    await waitUntil(async () => Number(((await redis.call("PUBSUB", "NUMSUB", `${prefix}live:${playerId}`)) as [string, number])[1]) === 2, "both subscriptions");
    await channels[0]!.publish(balanceMessage(playerId, 3));
    await waitUntil(() => received.every((r) => r.results.length === 1), "the update on both gateways");

    await writer.revoke([{ sessionId: session, untilMs: inFifteenMinutes() }]);

    await waitUntil(() => received.every((r) => r.errors.length === 1), "both connections to close");
    for (const r of received) expect(r.errors[0]).toMatchObject({ code: 4401, reason: "Session ended" });
  });

  it("a gateway started later refuses sessions revoked before it started", async () => {
    const session = randomUUID();
    const untilMs = inFifteenMinutes() + 60_000;
    await writer.revoke([{ sessionId: session, untilMs }]);
    // The set expires with its last entry; the marker that it is complete stays.
    expect(await redis.call("PEXPIRETIME", `${prefix}auth:revoked-sessions`)).toBe(untilMs);
    expect(await redis.pttl(`${prefix}auth:revoked-sessions:seeded`)).toBe(-1);
    const later = await gatewayOverRedis();
    const res = await post(later.url, ME, bearer(await tokens.playerSession(`p-${randomUUID()}`, session)));
    expect(res.status).toBe(401);
  });

  it("when Redis loses the store, gateways refuse authenticated requests until the player service seeds it again", async () => {
    const session = randomUUID();
    const token = await tokens.player(`p-${randomUUID()}`);
    await redis.del(`${prefix}auth:revoked-sessions`, `${prefix}auth:revoked-sessions:seeded`);

    await waitUntil(() => gateways.slice(0, 2).every((g) => !g.revokedSessions.available), "both gateways to notice", 5_000);
    for (const g of gateways.slice(0, 2)) expect((await post(g.url, ME, bearer(token))).status).toBe(503);

    await writer.seed([{ sessionId: session, untilMs: inFifteenMinutes() }]);
    await waitUntil(() => gateways.slice(0, 2).every((g) => g.revokedSessions.available), "both gateways to reload", 5_000);
    for (const g of gateways.slice(0, 2)) {
      expect((await post(g.url, ME, bearer(token))).status).toBe(200);
      expect((await post(g.url, ME, bearer(await tokens.playerSession(`p-${randomUUID()}`, session)))).status).toBe(401);
    }
  });

  it("a gateway that cannot reach Redis fails closed: authenticated requests get SERVICE_UNAVAILABLE, anonymous ones are served", async () => {
    const unreachable = await gatewayOverRedis("redis://127.0.0.1:1");
    const res = await post(unreachable.url, ME, bearer(await tokens.player(`p-${randomUUID()}`)));
    expect(res.status).toBe(503);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect((await fetch(unreachable.url.replace("/graphql", "/readyz"))).status).toBe(503);
    expect((await post(unreachable.url, ME)).body.data).toEqual({ me: null });
  });
});
