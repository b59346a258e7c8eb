import { describe, expect, it } from "@jest/globals";
import { createEventTransport, eventTransportMode, IPC_HUB_ENV } from "../src/events/index.ts";
import { InProcessBus, InProcessLiveChannel } from "../src/events/memory.ts";
import { createLogger } from "../src/logger.ts";
import type { DomainEvent, LiveMessage } from "../src/events/types.ts";
import { deferred, makeEvent, sleep, waitFor } from "./support/events.ts";

const events = (type: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => makeEvent(type, from + i));
const ids = (list: readonly DomainEvent[]) => list.map((e) => e.id);

describe("InProcessBus", () => {
  it("delivers events published before a group subscribed, in publish order", async () => {
    const bus = new InProcessBus();
    const published = events("wallet.bet_settled", 50);
    await bus.publish(published);
    const seen: DomainEvent[] = [];
    await bus.subscribe("reporting", "*", async (e) => void seen.push(e));
    await waitFor("replay", () => seen.length === 50);
    expect(ids(seen)).toEqual(ids(published));
    await bus.close();
  });

  it("gives every group every event, and splits a group's events between its members", async () => {
    const bus = new InProcessBus();
    const byMember: Record<string, DomainEvent[]> = { r1: [], r2: [], c1: [] };
    const handler = (name: string) => async (e: DomainEvent) => {
      byMember[name]!.push(e);
      await sleep(1);
    };
    await bus.subscribe("reporting", "*", handler("r1"));
    await bus.subscribe("reporting", "*", handler("r2"));
    await bus.subscribe("compliance", "*", handler("c1"));
    const published = events("wallet.bet_settled", 60);
    await bus.publish(published);

    await waitFor("all delivered", () => byMember.r1!.length + byMember.r2!.length === 60 && byMember.c1!.length === 60);
    await sleep(50);
    expect(byMember.r1!.length).toBeGreaterThan(0);
    expect(byMember.r2!.length).toBeGreaterThan(0);
    expect(new Set([...ids(byMember.r1!), ...ids(byMember.r2!)])).toEqual(new Set(ids(published)));
    expect(byMember.r1!.length + byMember.r2!.length).toBe(60);
    expect(ids(byMember.c1!)).toEqual(ids(published));
    await bus.close();
  });

  it("only delivers the subscribed types", async () => {
    const bus = new InProcessBus();
    const seen: DomainEvent[] = [];
    await bus.subscribe("compliance", ["wallet.deposit_settled", "player.registered"], async (e) => void seen.push(e));
    const mixed = [makeEvent("wallet.bet_settled", 1), makeEvent("player.registered", 2), makeEvent("wallet.deposit_settled", 3), makeEvent("games.round_closed", 4)];
    await bus.publish(mixed);
    await waitFor("two delivered", () => seen.length === 2);
    await sleep(30);
    expect(seen.map((e) => e.type)).toEqual(["player.registered", "wallet.deposit_settled"]);
    await bus.close();
  });

  it("redelivers an event whose handler threw, after a delay, until it succeeds", async () => {
    const bus = new InProcessBus({ retryDelayMs: 20 });
    const attempts = new Map<string, number[]>();
    const published = events("wallet.bet_settled", 5);
    const poisoned = published[2]!.id;
    await bus.subscribe("reporting", "*", async (e) => {
      const list = attempts.get(e.id) ?? [];
      list.push(Date.now());
      attempts.set(e.id, list);
      if (e.id === poisoned && list.length < 3) throw new Error("transient");
    });
    await bus.publish(published);
    await waitFor("third attempt", () => (attempts.get(poisoned)?.length ?? 0) === 3);
    await sleep(100);
    const tries = attempts.get(poisoned)!;
    expect(tries).toHaveLength(3);
    // Backoff doubles: ~20 ms then ~40 ms.
    expect(tries[1]! - tries[0]!).toBeGreaterThanOrEqual(15);
    expect(tries[2]! - tries[1]!).toBeGreaterThanOrEqual(35);
    for (const e of published.filter((x) => x.id !== poisoned)) expect(attempts.get(e.id)).toHaveLength(1);
    await bus.close();
  });

  it("keeps only the newest `capacity` events for late groups", async () => {
    const bus = new InProcessBus({ capacity: 10 });
    const published = events("wallet.bet_settled", 25);
    for (const e of published) await bus.publish([e]);
    const seen: DomainEvent[] = [];
    await bus.subscribe("late", "*", async (e) => void seen.push(e));
    await waitFor("replay", () => seen.length === 10);
    await sleep(30);
    expect(ids(seen)).toEqual(ids(published.slice(15)));
    await bus.close();
  });

  it("close of a subscription waits for its handler; the group resumes where it stopped", async () => {
    const bus = new InProcessBus();
    const gate = deferred();
    const first: DomainEvent[] = [];
    const sub = await bus.subscribe("reporting", "*", async (e) => {
      first.push(e);
      await gate.promise;
    });
    const published = events("wallet.bet_settled", 6);
    await bus.publish(published);
    await waitFor("first handler running", () => first.length === 1);

    let closed = false;
    const closing = sub.close().then(() => void (closed = true));
    await sleep(20);
    expect(closed).toBe(false);
    gate.resolve();
    await closing;

    const second: DomainEvent[] = [];
    await bus.subscribe("reporting", "*", async (e) => void second.push(e));
    await waitFor("rest delivered", () => second.length === 5);
    await sleep(20);
    expect(ids([...first, ...second])).toEqual(ids(published));
    await bus.close();
  });

  it("hands handlers JSON copies: bigint becomes a string and the publisher's object is not shared", async () => {
    const bus = new InProcessBus();
    const seen: DomainEvent[] = [];
    await bus.subscribe("g", "*", async (e) => void seen.push(e));
    const original = makeEvent("wallet.balance_changed", 1, { payload: { minor: 1234n } });
    await bus.publish([original]);
    await waitFor("delivered", () => seen.length === 1);
    expect(seen[0]!.payload).toEqual({ minor: "1234" });
    expect(seen[0]).not.toBe(original);
    await bus.close();
  });

  it("does not run handlers on the publisher's stack", async () => {
    const bus = new InProcessBus();
    let ran = false;
    await bus.subscribe("g", "*", async () => void (ran = true));
    await bus.publish([makeEvent("x.y", 1)]);
    expect(ran).toBe(false);
    await waitFor("delivered", () => ran);
    await bus.close();
  });

  it("rejects publishes after close", async () => {
    const bus = new InProcessBus();
    await bus.close();
    await expect(bus.publish([makeEvent("x.y", 1)])).rejects.toThrow(/closed/);
  });
});

describe("InProcessLiveChannel", () => {
  const msg = (playerId: string, n: number): LiveMessage => ({ topic: "balanceChanged", playerId, eventId: `e-${n}`, payload: { n, minor: BigInt(n) } });

  it("delivers a message only to that player's listeners, until they unsubscribe", async () => {
    const live = new InProcessLiveChannel();
    const got: Record<string, LiveMessage[]> = { a1: [], a2: [], b: [] };
    const unA1 = await live.subscribe("player-a", (m) => void got.a1!.push(m));
    await live.subscribe("player-a", (m) => void got.a2!.push(m));
    await live.subscribe("player-b", (m) => void got.b!.push(m));

    await live.publish(msg("player-a", 1));
    await unA1();
    await live.publish(msg("player-a", 2));

    expect(got.a1!.map((m) => m.eventId)).toEqual(["e-1"]);
    expect(got.a2!.map((m) => m.eventId)).toEqual(["e-1", "e-2"]);
    expect(got.b).toEqual([]);
    expect(got.a2![0]!.payload).toEqual({ n: 1, minor: "1" });
    await live.close();
  });

  it("keeps delivering to other listeners when one throws, and subscribing one function twice counts twice", async () => {
    const live = new InProcessLiveChannel();
    const got: LiveMessage[] = [];
    const listener = (m: LiveMessage) => void got.push(m);
    await live.subscribe("p", () => {
      throw new Error("broken socket");
    });
    const un1 = await live.subscribe("p", listener);
    await live.subscribe("p", listener);
    await live.publish(msg("p", 1));
    await un1();
    await live.publish(msg("p", 2));
    expect(got.map((m) => m.eventId)).toEqual(["e-1", "e-1", "e-2"]);
    await live.close();
  });
});

describe("createEventTransport", () => {
  it("uses Redis when a URL is set and stays in-process without the supervisor's variable", () => {
    expect(eventTransportMode("redis://127.0.0.1:6379", { [IPC_HUB_ENV]: "1" })).toBe("redis");
    expect(eventTransportMode(undefined, {})).toBe("memory");
    expect(eventTransportMode("", { [IPC_HUB_ENV]: "0" })).toBe("memory");
  });

  it("wires an in-process bus and live channel that work together", async () => {
    const transport = createEventTransport({ log: createLogger("test", "silent") });
    expect(transport.mode).toBe("memory");
    const seen: DomainEvent[] = [];
    await transport.bus.subscribe("g", "*", async (e) => void seen.push(e));
    await transport.bus.publish([makeEvent("a.b", 1)]);
    await waitFor("delivered", () => seen.length === 1);
    await transport.close();
  });
});
