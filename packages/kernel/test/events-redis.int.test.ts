import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { Redis } from "ioredis";
import { createEventTransport } from "../src/events/index.ts";
import { RedisLiveChannel, RedisStreamBus, type RedisStreamBusOptions } from "../src/events/redis.ts";
import type { DomainEvent, LiveMessage } from "../src/events/types.ts";
import { createLogger } from "../src/logger.ts";
import { makeEvent, sleep, waitFor } from "./support/events.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const log = createLogger("test", "silent");
const runPrefix = `test:events:${randomBytes(6).toString("hex")}:`;
let testNo = 0;

describe("Redis event transport", () => {
  let admin: Redis;
  const toClose: { close(): Promise<void> }[] = [];

  beforeAll(() => {
    admin = new Redis(REDIS_URL);
  });

  afterEach(async () => {
    await Promise.all(toClose.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    const keys = await admin.keys(`${runPrefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  /** A fresh stream per test; buses of one test share it like processes of one deployment. */
  function streamScope() {
    const keyPrefix = `${runPrefix}${++testNo}:`;
    return {
      keyPrefix,
      stream: `${keyPrefix}events`,
      bus(opts: Partial<RedisStreamBusOptions> = {}): RedisStreamBus {
        const bus = new RedisStreamBus({ url: REDIS_URL, keyPrefix, log, ...opts });
        toClose.push(bus);
        return bus;
      },
    };
  }

  const batch = (type: string, n: number): DomainEvent[] => Array.from({ length: n }, (_, i) => makeEvent(type, i));
  const ids = (list: readonly DomainEvent[]) => list.map((e) => e.id);
  const pendingCount = async (stream: string, group: string) => Number(((await admin.xpending(stream, group)) as unknown[])[0]);

  it("writes one stream entry per event, the type beside the JSON-safe event", async () => {
    const scope = streamScope();
    const bus = scope.bus();
    const events = batch("wallet.balance_changed", 3).map((e) => ({ ...e, payload: { minor: 250n } }));
    await bus.publish(events);
    const entries = (await admin.xrange(scope.stream, "-", "+")) as [string, string[]][];
    expect(entries.map(([, f]) => f)).toEqual(events.map(() => ["type", "wallet.balance_changed", "event", expect.any(String)]));
    expect(JSON.parse(entries[0]![1][3]!)).toEqual({ ...events[0], payload: { minor: "250" } });
  });

  it("trims the stream to about maxLen entries", async () => {
    const scope = streamScope();
    const bus = scope.bus({ maxLen: 100 });
    for (let i = 0; i < 10; i++) await bus.publish(batch("wallet.bet_settled", 100));
    const length = await admin.xlen(scope.stream);
    // "~" trims whole radix-tree nodes (100 entries by default), so the length lands near maxLen.
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThanOrEqual(300);
  });

  it("splits events between two consumers of one group, each event once", async () => {
    const scope = streamScope();
    const [one, two, publisher] = [scope.bus(), scope.bus(), scope.bus()];
    const got: Record<string, DomainEvent[]> = { one: [], two: [] };
    await one.subscribe("reporting", "*", async (e) => {
      got.one!.push(e);
      await sleep(2);
    });
    await two.subscribe("reporting", "*", async (e) => {
      got.two!.push(e);
      await sleep(2);
    });
    const events = batch("wallet.bet_settled", 100);
    for (let i = 0; i < events.length; i += 10) await publisher.publish(events.slice(i, i + 10));

    await waitFor("all handled", () => got.one!.length + got.two!.length === 100);
    await sleep(100);
    const all = [...ids(got.one!), ...ids(got.two!)];
    expect(all).toHaveLength(100);
    expect(new Set(all)).toEqual(new Set(ids(events)));
    expect(got.one!.length).toBeGreaterThan(0);
    expect(got.two!.length).toBeGreaterThan(0);
    expect(await pendingCount(scope.stream, "reporting")).toBe(0);
  });

  it("gives every group all events, including those published before it existed", async () => {
    const scope = streamScope();
    const publisher = scope.bus();
    const early = batch("player.registered", 5);
    await publisher.publish(early);
    const g1: DomainEvent[] = [];
    const g2: DomainEvent[] = [];
    await scope.bus().subscribe("compliance", "*", async (e) => void g1.push(e));
    await scope.bus().subscribe("reporting", "*", async (e) => void g2.push(e));
    const late = batch("player.registered", 5);
    await publisher.publish(late);
    await waitFor("both groups", () => g1.length === 10 && g2.length === 10);
    expect(ids(g1)).toEqual(ids([...early, ...late]));
    expect(ids(g2)).toEqual(ids([...early, ...late]));
  });

  it("filters by type and acks the rest at once", async () => {
    const scope = streamScope();
    const bus = scope.bus();
    const seen: DomainEvent[] = [];
    await bus.subscribe("compliance", ["wallet.deposit_settled"], async (e) => void seen.push(e));
    const wanted = makeEvent("wallet.deposit_settled", 1);
    await bus.publish([makeEvent("wallet.bet_settled", 0), wanted, makeEvent("games.round_closed", 2)]);
    await waitFor("delivered", () => seen.length === 1);
    await waitFor("nothing pending", async () => (await pendingCount(scope.stream, "compliance")) === 0);
    expect(ids(seen)).toEqual([wanted.id]);
  });

  it("leaves a failed event pending and delivers it again once it has been idle long enough", async () => {
    const scope = streamScope();
    const bus = scope.bus({ claimMinIdleMs: 300 });
    const attempts: { id: string; at: number }[] = [];
    const events = batch("wallet.bet_settled", 3);
    await bus.subscribe("reporting", "*", async (e) => {
      attempts.push({ id: e.id, at: Date.now() });
      if (e.id === events[1]!.id && attempts.filter((a) => a.id === e.id).length === 1) throw new Error("transient");
    });
    await bus.publish(events);
    await waitFor("first pass", () => attempts.length === 3);
    expect(await pendingCount(scope.stream, "reporting")).toBe(1);

    await waitFor("retried", () => attempts.length === 4, 5_000);
    const tries = attempts.filter((a) => a.id === events[1]!.id);
    expect(tries).toHaveLength(2);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(290);
    await waitFor("acked", async () => (await pendingCount(scope.stream, "reporting")) === 0);
  });

  it("claims the pending entries of a consumer that died", async () => {
    const scope = streamScope();
    const publisher = scope.bus();
    const events = batch("payments.deposit_settled", 4);
    await admin.xgroup("CREATE", scope.stream, "payments-consumers", "0", "MKSTREAM");
    await publisher.publish(events);
    // A consumer that read the entries and crashed before acking them.
    await admin.xreadgroup("GROUP", "payments-consumers", "crashed-host-1-dead", "COUNT", 10, "STREAMS", scope.stream, ">");
    expect(await pendingCount(scope.stream, "payments-consumers")).toBe(4);

    const seen: DomainEvent[] = [];
    await scope.bus({ claimMinIdleMs: 200 }).subscribe("payments-consumers", "*", async (e) => void seen.push(e));
    await waitFor("claimed", () => seen.length === 4, 5_000);
    expect(ids(seen)).toEqual(ids(events));
    await waitFor("acked", async () => (await pendingCount(scope.stream, "payments-consumers")) === 0);
  });

  it("names consumers <group>-<host>-<pid>-<random> and removes them on a clean close, promptly", async () => {
    const scope = streamScope();
    const bus = scope.bus({ blockMs: 5_000 });
    const seen: DomainEvent[] = [];
    const sub = await bus.subscribe("player", "*", async (e) => void seen.push(e));
    // Redis creates a consumer when it first gets an entry.
    await bus.publish([makeEvent("player.registered", 1)]);
    await waitFor("delivered", () => seen.length === 1);
    await sleep(100);
    const consumers = (await admin.xinfo("CONSUMERS", scope.stream, "player")) as unknown[][];
    expect(consumers).toHaveLength(1);
    const name = String(consumers[0]![1]);
    expect(name).toMatch(new RegExp(`^player-[^-].*-${process.pid}-[0-9a-f]{8}$`));

    const started = Date.now();
    await sub.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await admin.xinfo("CONSUMERS", scope.stream, "player")).toEqual([]);
  });

  it("removes consumers that own nothing and have been idle too long, and keeps those with pending entries", async () => {
    const scope = streamScope();
    await admin.xgroup("CREATE", scope.stream, "wallet", "0", "MKSTREAM");
    await scope.bus().publish(batch("x.y", 2));
    const first = (await admin.xreadgroup("GROUP", "wallet", "gone-clean", "COUNT", 1, "STREAMS", scope.stream, ">")) as [string, [string, string[]][]][];
    await admin.xack(scope.stream, "wallet", first[0]![1][0]![0]);
    await admin.xreadgroup("GROUP", "wallet", "gone-owing", "COUNT", 1, "STREAMS", scope.stream, ">");
    await sleep(300);

    const names = async () => ((await admin.xinfo("CONSUMERS", scope.stream, "wallet")) as unknown[][]).map((c) => String(c[1]));
    expect((await names()).sort()).toEqual(["gone-clean", "gone-owing"]);
    await scope.bus({ staleConsumerMs: 200, claimMinIdleMs: 60_000 }).subscribe("wallet", ["none"], async () => undefined);
    await waitFor("stale consumer removed", async () => !(await names()).includes("gone-clean"));
    expect(await names()).toContain("gone-owing");
  });

  it("finishes the event in hand before a subscription closes, and acks it", async () => {
    const scope = streamScope();
    const bus = scope.bus();
    let finished = false;
    let started = false;
    const sub = await bus.subscribe("reporting", "*", async () => {
      started = true;
      await sleep(200);
      finished = true;
    });
    await bus.publish([makeEvent("x.y", 1)]);
    await waitFor("handler started", () => started);
    await sub.close();
    expect(finished).toBe(true);
    expect(await pendingCount(scope.stream, "reporting")).toBe(0);
  });

  describe("live channel", () => {
    const msg = (playerId: string, n: number): LiveMessage => ({ topic: "balanceChanged", playerId, eventId: `e-${n}`, payload: { version: n, minor: 10n } });

    it("delivers to subscribers of that player only, on every gateway instance", async () => {
      const keyPrefix = `${runPrefix}${++testNo}:`;
      const gw1 = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      const gw2 = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      const wallet = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      toClose.push(gw1, gw2, wallet);
      const got: Record<string, LiveMessage[]> = { gw1a: [], gw2a: [], gw1b: [] };
      await gw1.subscribe("player-a", (m) => void got.gw1a!.push(m));
      await gw2.subscribe("player-a", (m) => void got.gw2a!.push(m));
      await gw1.subscribe("player-b", (m) => void got.gw1b!.push(m));

      await wallet.publish(msg("player-a", 1));
      await waitFor("both gateways", () => got.gw1a!.length === 1 && got.gw2a!.length === 1);
      await wallet.publish(msg("player-b", 2));
      await waitFor("player-b", () => got.gw1b!.length === 1);
      await sleep(50);
      expect(got.gw1a).toEqual([{ ...msg("player-a", 1), payload: { version: 1, minor: "10" } }]);
      expect(got.gw2a).toEqual(got.gw1a);
      expect(got.gw1b!.map((m) => m.eventId)).toEqual(["e-2"]);
    });

    it("publishMany delivers each message to its player's channel, in order, as publish would", async () => {
      const keyPrefix = `${runPrefix}${++testNo}:`;
      const gw = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      const wallet = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      toClose.push(gw, wallet);
      const got: Record<string, LiveMessage[]> = { a: [], b: [] };
      await gw.subscribe("player-a", (m) => void got.a!.push(m));
      await gw.subscribe("player-b", (m) => void got.b!.push(m));

      await wallet.publishMany([msg("player-a", 1), msg("player-b", 2), msg("player-a", 3), msg("player-c", 4), msg("player-a", 5)]);
      await wallet.publishMany([]);
      await waitFor("all messages", () => got.a!.length === 3 && got.b!.length === 1);
      await sleep(50);
      expect(got.a!.map((m) => m.eventId)).toEqual(["e-1", "e-3", "e-5"]);
      expect(got.a![0]).toEqual({ ...msg("player-a", 1), payload: { version: 1, minor: "10" } });
      expect(got.b!.map((m) => m.eventId)).toEqual(["e-2"]);
    });

    it("subscribes a player's channel once per process and unsubscribes with the last listener", async () => {
      const keyPrefix = `${runPrefix}${++testNo}:`;
      const gw = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      const wallet = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      toClose.push(gw, wallet);
      const channel = `${keyPrefix}live:player-a`;
      const numsub = async () => Number(((await admin.pubsub("NUMSUB", channel)) as unknown[])[1]);
      const first: LiveMessage[] = [];
      const second: LiveMessage[] = [];
      const un1 = await gw.subscribe("player-a", (m) => void first.push(m));
      const un2 = await gw.subscribe("player-a", (m) => void second.push(m));
      expect(await numsub()).toBe(1);

      await un1();
      expect(await numsub()).toBe(1);
      await wallet.publish(msg("player-a", 1));
      await waitFor("remaining listener", () => second.length === 1);
      expect(first).toEqual([]);

      await un2();
      expect(await numsub()).toBe(0);
      expect(gw.channelCount).toBe(0);
    });

    it("keeps a player subscribed when the subscription arrives while the subscriber connection is still in its handshake", async () => {
      // The gateway opens its subscriber connection for the first subscription; others arrive while
      // it connects. One sent during ioredis' handshake (status "connect") used to put the connection
      // in subscriber mode before the handshake's ready check (INFO), which then failed: the queued
      // subscription was refused and, after the reconnect, neither channel was subscribed any more.
      const keyPrefix = `${runPrefix}${++testNo}:`;
      const gw = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      const wallet = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      toClose.push(gw, wallet);
      const got: Record<string, LiveMessage[]> = { a: [], b: [] };
      const first = gw.subscribe("player-a", (m) => void got.a!.push(m));
      // White-box: the only way to land a subscription in the handshake window every time.
      const subscriber = () => (gw as unknown as { sub?: Redis }).sub;
      while (subscriber()?.status !== "connect") {
        if (subscriber()?.status === "ready") throw new Error("the handshake was over before the test could subscribe during it");
        await new Promise((resolve) => setImmediate(resolve));
      }
      const second = gw.subscribe("player-b", (m) => void got.b!.push(m));
      await expect(first).resolves.toEqual(expect.any(Function));
      await expect(second).resolves.toEqual(expect.any(Function));

      const numsub = async () => ((await admin.pubsub("NUMSUB", `${keyPrefix}live:player-a`, `${keyPrefix}live:player-b`)) as unknown[]).map(String);
      expect(await numsub()).toEqual([`${keyPrefix}live:player-a`, "1", `${keyPrefix}live:player-b`, "1"]);
      await wallet.publishMany([msg("player-a", 1), msg("player-b", 2)]);
      await waitFor("both players' messages", () => got.a!.length === 1 && got.b!.length === 1);
      expect(got.a!.map((m) => m.eventId)).toEqual(["e-1"]);
      expect(got.b!.map((m) => m.eventId)).toEqual(["e-2"]);
    });

    it("drops a message whose player does not match its channel", async () => {
      const keyPrefix = `${runPrefix}${++testNo}:`;
      const gw = new RedisLiveChannel({ url: REDIS_URL, keyPrefix, log });
      toClose.push(gw);
      const got: LiveMessage[] = [];
      await gw.subscribe("player-a", (m) => void got.push(m));
      const raw = (m: LiveMessage) => JSON.stringify({ ...m, payload: {} });
      await admin.publish(`${keyPrefix}live:player-a`, raw(msg("player-b", 1)));
      await admin.publish(`${keyPrefix}live:player-a`, raw(msg("player-a", 2)));
      await waitFor("valid message", () => got.length === 1);
      await sleep(50);
      expect(got.map((m) => m.eventId)).toEqual(["e-2"]);
    });
  });

  it("createEventTransport picks Redis when a URL is given and wires bus and live channel", async () => {
    const keyPrefix = `${runPrefix}${++testNo}:`;
    const transport = createEventTransport({ redisUrl: REDIS_URL, keyPrefix, log });
    toClose.push(transport);
    expect(transport.mode).toBe("redis");
    const seen: DomainEvent[] = [];
    const live: LiveMessage[] = [];
    await transport.bus.subscribe("g", ["a.b"], async (e) => void seen.push(e));
    await transport.live.subscribe("p", (m) => void live.push(m));
    const event = makeEvent("a.b", 1);
    await transport.bus.publish([event]);
    await transport.live.publish({ topic: "t", playerId: "p", eventId: event.id, payload: {} });
    await waitFor("both", () => seen.length === 1 && live.length === 1);
    expect(seen[0]!.id).toBe(event.id);
    expect(await admin.exists(`${keyPrefix}events`)).toBe(1);
  });
});
