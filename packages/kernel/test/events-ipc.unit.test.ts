import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { IPC_HUB_ENV } from "../src/events/index.ts";
import { createIpcHub, type IpcHub } from "../src/events/ipc.ts";
import type { DomainEvent, LiveMessage } from "../src/events/types.ts";
import type { TestCommand, TestReport } from "./fixtures/ipc-child.ts";
import { makeEvent, sleep, waitFor } from "./support/events.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/ipc-child.ts", import.meta.url));

/** A forked child service driven over the same IPC channel the hub uses (tagged "test"). */
class Child {
  readonly reports: TestReport[] = [];
  private seq = 0;

  private constructor(readonly name: string, readonly proc: ChildProcess) {
    proc.on("message", (msg: unknown) => {
      const m = msg as { ch?: string } & TestReport;
      if (m?.ch === "test") this.reports.push(m);
    });
  }

  static async start(hub: IpcHub, name: string): Promise<Child> {
    const proc = fork(FIXTURE, [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, [IPC_HUB_ENV]: "1" },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    hub.attach(proc, name);
    const child = new Child(name, proc);
    await waitFor(`${name} ready`, () => child.reports.some((r) => r.ev === "ready"), 30_000);
    return child;
  }

  get mode(): string | undefined {
    const ready = this.reports.find((r) => r.ev === "ready");
    return ready?.ev === "ready" ? ready.mode : undefined;
  }

  async do(command: TestCommand): Promise<void> {
    const re = ++this.seq;
    this.proc.send({ ch: "test", re, ...command });
    await waitFor(`${this.name} ${command.cmd}`, () => this.reports.some((r) => r.ev === "done" && r.re === re));
    const done = this.reports.find((r) => r.ev === "done" && r.re === re);
    if (done?.ev === "done" && done.error) throw new Error(`${this.name} ${command.cmd}: ${done.error}`);
  }

  handled(group: string): { id: string; attempt: number }[] {
    return this.reports.flatMap((r) => (r.ev === "handled" && r.group === group ? [{ id: r.id, attempt: r.attempt }] : []));
  }

  handling(group: string): { id: string; attempt: number }[] {
    return this.reports.flatMap((r) => (r.ev === "handling" && r.group === group ? [{ id: r.id, attempt: r.attempt }] : []));
  }

  live(): LiveMessage[] {
    return this.reports.flatMap((r) => (r.ev === "live" ? [r.message] : []));
  }

  kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.proc.once("exit", () => resolve());
      this.proc.kill("SIGKILL");
    });
  }
}

const batch = (type: string, n: number): DomainEvent[] => Array.from({ length: n }, (_, i) => makeEvent(type, i));
const idsOf = (list: readonly { id: string }[]) => list.map((e) => e.id);

describe("IPC hub with forked children", () => {
  let hub: IpcHub;
  let a: Child;
  let b: Child;
  let p: Child;
  const extra: Child[] = [];

  beforeAll(async () => {
    hub = createIpcHub({ retryDelayMs: 20 });
    [a, b, p] = await Promise.all([Child.start(hub, "a"), Child.start(hub, "b"), Child.start(hub, "publisher")]);
  });

  afterAll(async () => {
    await Promise.all([a, b, p, ...extra].filter(Boolean).map((c) => c.kill()));
    await hub.close();
  });

  it("children pick the IPC transport when the supervisor's variable is set", () => {
    expect([a.mode, b.mode, p.mode]).toEqual(["ipc", "ipc", "ipc"]);
  });

  it("splits a group's events between its members, each event once", async () => {
    await a.do({ cmd: "subscribe", group: "split", types: ["split.e"], behaviour: "ok" });
    await b.do({ cmd: "subscribe", group: "split", types: ["split.e"], behaviour: "ok" });
    const events = batch("split.e", 40);
    await p.do({ cmd: "publish", events });

    await waitFor("all handled", () => a.handled("split").length + b.handled("split").length === 40);
    await sleep(100);
    const all = [...idsOf(a.handled("split")), ...idsOf(b.handled("split"))];
    expect(all).toHaveLength(40);
    expect(new Set(all)).toEqual(new Set(idsOf(events)));
    expect(a.handled("split").length).toBeGreaterThan(0);
    expect(b.handled("split").length).toBeGreaterThan(0);
  });

  it("gives each group all events in publish order", async () => {
    await a.do({ cmd: "subscribe", group: "fan-1", types: ["fan.e"], behaviour: "ok" });
    await b.do({ cmd: "subscribe", group: "fan-2", types: ["fan.e"], behaviour: "ok" });
    const events = batch("fan.e", 20);
    await p.do({ cmd: "publish", events: [...events, makeEvent("other.e", 99)] });
    await waitFor("both groups", () => a.handled("fan-1").length === 20 && b.handled("fan-2").length === 20);
    await sleep(50);
    expect(idsOf(a.handled("fan-1"))).toEqual(idsOf(events));
    expect(idsOf(b.handled("fan-2"))).toEqual(idsOf(events));
  });

  it("replays the log to a group that subscribes after the events were published", async () => {
    const events = batch("late.e", 10);
    await p.do({ cmd: "publish", events });
    await a.do({ cmd: "subscribe", group: "late", types: ["late.e"], behaviour: "ok" });
    await waitFor("replayed", () => a.handled("late").length === 10);
    expect(idsOf(a.handled("late"))).toEqual(idsOf(events));
  });

  it("redelivers an event whose handler threw", async () => {
    await b.do({ cmd: "subscribe", group: "retry", types: ["retry.e"], behaviour: "fail-first" });
    const events = batch("retry.e", 5);
    await p.do({ cmd: "publish", events });
    await waitFor("all handled on the second attempt", () => b.handled("retry").length === 5);
    expect(b.handled("retry")).toEqual(events.map((e) => ({ id: e.id, attempt: 2 })));
    expect(b.handling("retry")).toHaveLength(10);
  });

  it("sends events to the remaining member after one closes its subscription", async () => {
    await a.do({ cmd: "subscribe", group: "leave", types: ["leave.e"], behaviour: "ok" });
    await b.do({ cmd: "subscribe", group: "leave", types: ["leave.e"], behaviour: "ok" });
    await a.do({ cmd: "unsubscribe", group: "leave" });
    const events = batch("leave.e", 10);
    await p.do({ cmd: "publish", events });
    await waitFor("b got all", () => b.handled("leave").length === 10);
    await sleep(50);
    expect(a.handling("leave")).toEqual([]);
    expect(idsOf(b.handled("leave"))).toEqual(idsOf(events));
  });

  it("hands an unacked event of a child that died to the group's remaining member", async () => {
    const doomed = await Child.start(hub, "doomed");
    extra.push(doomed);
    await doomed.do({ cmd: "subscribe", group: "crash", types: ["crash.e"], behaviour: "hang" });
    const [event] = batch("crash.e", 1);
    await p.do({ cmd: "publish", events: [event!] });
    await waitFor("doomed child holds the event", () => doomed.handling("crash").length === 1);
    await a.do({ cmd: "subscribe", group: "crash", types: ["crash.e"], behaviour: "ok" });
    await sleep(50);
    expect(a.handling("crash")).toEqual([]);

    await doomed.kill();
    await waitFor("redelivered to a", () => a.handled("crash").length === 1);
    expect(idsOf(a.handled("crash"))).toEqual([event!.id]);
  });

  it("routes live messages to the children subscribed to that player only", async () => {
    await a.do({ cmd: "live-subscribe", playerId: "p-1" });
    await b.do({ cmd: "live-subscribe", playerId: "p-2" });
    await p.do({ cmd: "live-subscribe", playerId: "p-1" });
    const m1: LiveMessage = { topic: "balanceChanged", playerId: "p-1", eventId: "e-1", payload: { version: 1 } };
    await b.do({ cmd: "live-publish", message: m1 });
    await waitFor("p-1 subscribers", () => a.live().length === 1 && p.live().length === 1);

    await a.do({ cmd: "live-unsubscribe", playerId: "p-1" });
    const m2: LiveMessage = { ...m1, eventId: "e-2", payload: { version: 2 } };
    await b.do({ cmd: "live-publish", message: m2 });
    await waitFor("second message", () => p.live().length === 2);
    await sleep(100);
    expect(a.live()).toEqual([m1]);
    expect(p.live()).toEqual([m1, m2]);
    expect(b.live()).toEqual([]);
  });
});

describe("IPC hub ack timeout", () => {
  let hub: IpcHub;
  let s: Child | undefined;

  beforeAll(() => {
    hub = createIpcHub({ ackTimeoutMs: 150, retryDelayMs: 10 });
  });

  afterAll(async () => {
    await s?.kill();
    await hub.close();
  });

  it("redelivers an event that was not acked in time, without waiting for the slow handler", async () => {
    s = await Child.start(hub, "slow");
    await s.do({ cmd: "subscribe", group: "slow", types: ["slow.e"], behaviour: "slow-first" });
    const [event] = batch("slow.e", 1);
    await s.do({ cmd: "publish", events: [event!] });
    await waitFor("both attempts finished", () => s!.handled("slow").length === 2);
    // The second delivery came after the ack timeout and finished while the first was still running.
    expect(s.handled("slow")).toEqual([
      { id: event!.id, attempt: 2 },
      { id: event!.id, attempt: 1 },
    ]);
  });
});
