import type { ExecutionResult } from "graphql";
import { Registry } from "prom-client";
import type { LiveMessage } from "@casino/kernel/events/types";
import { LiveSubscription, type LiveSubscriptionOptions } from "../src/subscriptions/live-subscription.ts";
import { createSubscriptionMetrics } from "../src/subscriptions/metrics.ts";
import { Semaphore } from "../src/subscriptions/semaphore.ts";
import { balanceMessage, sleep, TestLiveChannel } from "./support/harness.ts";

const render = (m: LiveMessage): ExecutionResult => ({ data: { version: (m.payload as { version: number }).version } });
const versionOf = (r: IteratorResult<ExecutionResult>) => (r.value as ExecutionResult | undefined)?.data?.version;

function setup(overrides: Partial<LiveSubscriptionOptions> = {}) {
  const live = new TestLiveChannel();
  const registry = new Registry();
  const metrics = createSubscriptionMetrics(registry);
  const open = (more: Partial<LiveSubscriptionOptions> = {}) =>
    LiveSubscription.open({ live, playerId: "p1", topic: "balanceChanged", coalesce: true, maxQueued: 100, render, metrics, ...overrides, ...more });
  const count = async (outcome: string) =>
    (await metrics.messages.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  const openGauge = async () => (await metrics.open.get()).values[0]?.value ?? 0;
  return { live, open, count, openGauge };
}

describe("LiveSubscription", () => {
  it("keeps only the newest message for a paused consumer of a coalescing topic", async () => {
    const { live, open, count } = setup();
    const sub = await open();
    for (let v = 1; v <= 50; v++) live.publishNow(balanceMessage("p1", v));
    expect(sub.backlog).toBe(1);
    expect(versionOf(await sub.next())).toBe(50);
    expect(await count("coalesced")).toBe(49);
    expect(await count("delivered")).toBe(1);
    await sub.return();
  });

  it("delivers every message in order for a non-coalescing topic", async () => {
    const { live, open } = setup({ coalesce: false });
    const sub = await open();
    for (let v = 1; v <= 5; v++) live.publishNow(balanceMessage("p1", v));
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(versionOf(await sub.next()));
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await sub.return();
  });

  it("closes a non-coalescing subscription with an error when its backlog overflows, leaving the channel", async () => {
    const { live, open, count } = setup({ coalesce: false, maxQueued: 3 });
    const sub = await open();
    for (let v = 1; v <= 4; v++) live.publishNow(balanceMessage("p1", v));
    expect(live.listenerCount("p1")).toBe(0);
    const first = await sub.next();
    expect(first.done).toBe(false);
    expect((first.value as ExecutionResult).errors?.[0]?.extensions?.code).toBe("SUBSCRIPTION_OVERFLOW");
    expect(await sub.next()).toEqual({ done: true, value: undefined });
    expect(await count("dropped")).toBe(4);
  });

  it("leaves the live channel at once when returned, even with a next() pending", async () => {
    const { live, open, openGauge } = setup();
    const sub = await open();
    expect(live.listenerCount("p1")).toBe(1);
    expect(await openGauge()).toBe(1);
    const pending = sub.next();
    await sub.return();
    expect(live.listenerCount("p1")).toBe(0);
    expect(await openGauge()).toBe(0);
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await sub.next()).toEqual({ done: true, value: undefined });
  });

  it("discards a render that finishes after the consumer left", async () => {
    let release: () => void = () => undefined;
    const { live, open, count } = setup({
      render: (m) => new Promise<ExecutionResult>((resolve) => (release = () => resolve(render(m)))),
    });
    const sub = await open();
    const pending = sub.next();
    live.publishNow(balanceMessage("p1", 1));
    await sleep(5);
    await sub.return();
    release();
    expect(await pending).toEqual({ done: true, value: undefined });
    await sleep(5);
    expect(await count("delivered")).toBe(0);
  });

  it("drops messages for another player or topic, and replays of an event it already took", async () => {
    const { live, open, count } = setup();
    const sub = await open();
    const pending = sub.next();
    live.deliverTo("p1", balanceMessage("p2", 9));
    live.deliverTo("p1", { ...balanceMessage("p1", 8), payload: { playerId: "p2", version: 8 } });
    live.publishNow({ ...balanceMessage("p1", 7), topic: "gameStateChanged" });
    const once = balanceMessage("p1", 1);
    live.publishNow(once);
    expect(versionOf(await pending)).toBe(1);
    live.publishNow(once);
    live.publishNow(balanceMessage("p1", 2));
    expect(versionOf(await sub.next())).toBe(2);
    expect(await count("dropped")).toBe(3);
    await sub.return();
  });

  it("turns a throwing render into an error result and carries on", async () => {
    let fail = true;
    const { live, open } = setup({
      render: (m) => {
        if (fail) throw new Error("boom");
        return render(m);
      },
    });
    const sub = await open();
    live.publishNow(balanceMessage("p1", 1));
    const failed = await sub.next();
    expect((failed.value as ExecutionResult).errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    fail = false;
    live.publishNow(balanceMessage("p1", 2));
    expect(versionOf(await sub.next())).toBe(2);
    await sub.return();
  });
});

describe("Semaphore", () => {
  it("never runs more than its size at once and runs every job", async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        semaphore.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(2);
          running -= 1;
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(semaphore.running).toBe(0);
  });
});
