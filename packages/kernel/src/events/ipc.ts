import type { ChildProcess } from "node:child_process";
import { RevocationSet, revokedSessionsSchema, type RevocationFollower, type RevokedSession, type SessionRevocationFeed } from "../auth/revocations.ts";
import type { Logger } from "../logger.ts";
import { EventLog, LiveListeners, typeFilter, type EventLogOptions } from "./memory.ts";
import { toJsonSafe } from "./outbox.ts";
import type {
  DomainEvent,
  EventBus,
  EventHandler,
  EventSubscription,
  LiveChannel,
  LiveListener,
  LiveMessage,
} from "./types.ts";

/**
 * Embedded mode: the supervisor forks every service and hosts the one event log and live router
 * they share; children talk to it over their IPC channel. Every message is tagged with this
 * channel name so the supervisor's other IPC traffic (readiness, shutdown) passes untouched.
 */
export const IPC_CHANNEL = "casino.events";

type Tagged<T> = T & { readonly ch: typeof IPC_CHANNEL };

/** Child to hub. Requests carry `req` and are answered by a `reply` with the same number. */
export type ChildToHub = Tagged<
  | { t: "bus.publish"; req: number; events: DomainEvent[] }
  | { t: "bus.subscribe"; req: number; sub: string; group: string; types: string[] | "*" }
  | { t: "bus.unsubscribe"; req: number; sub: string }
  | { t: "bus.ack"; delivery: number }
  | { t: "bus.nack"; delivery: number; error: string }
  | { t: "live.publish"; req: number; message: LiveMessage }
  | { t: "live.subscribe"; req: number; playerId: string }
  | { t: "live.unsubscribe"; req: number; playerId: string }
  | { t: "auth.revoke"; req: number; entries: RevokedSession[] }
  | { t: "auth.seed"; req: number; entries: RevokedSession[] }
  | { t: "auth.seeded"; req: number }
  | { t: "auth.follow"; req: number }
  | { t: "auth.unfollow"; req: number }
>;

/** Hub to child. */
export type HubToChild = Tagged<
  | { t: "reply"; req: number; error?: string; value?: boolean }
  | { t: "bus.deliver"; sub: string; delivery: number; event: DomainEvent }
  | { t: "live.deliver"; message: LiveMessage }
  | { t: "auth.snapshot"; entries: RevokedSession[] }
  | { t: "auth.revoked"; entries: RevokedSession[] }
>;

function isTagged(msg: unknown): msg is { ch: typeof IPC_CHANNEL; t: string } {
  return (
    typeof msg === "object" &&
    msg !== null &&
    (msg as { ch?: unknown }).ch === IPC_CHANNEL &&
    typeof (msg as { t?: unknown }).t === "string"
  );
}

function assertNever(x: never): never {
  throw new Error(`unhandled IPC message ${JSON.stringify(x)}`);
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// Hub (supervisor side)

export interface IpcHubOptions extends EventLogOptions {
  /** An event not acked within this time is taken back and delivered again (maybe elsewhere). */
  ackTimeoutMs?: number;
}

export interface IpcHub {
  /** Starts routing for a forked child; it is detached automatically when it exits. */
  attach(child: ChildProcess, name: string): void;
  /** Forgets a child: its unacked events go back to their groups, its live routes are dropped. */
  detach(child: ChildProcess): void;
  close(): Promise<void>;
}

interface PendingDelivery {
  readonly sub: string;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface Peer {
  readonly name: string;
  readonly child: ChildProcess;
  readonly subs: Map<string, () => Promise<void>>;
  readonly deliveries: Map<number, PendingDelivery>;
  readonly players: Set<string>;
  readonly onMessage: (msg: unknown) => void;
  readonly onGone: () => void;
}

export function createIpcHub(opts: IpcHubOptions = {}): IpcHub {
  const log = opts.log?.child({ component: "ipc-hub" });
  const ackTimeoutMs = opts.ackTimeoutMs ?? 30_000;
  const eventLog = new EventLog({ ...opts, log });
  const peers = new Map<ChildProcess, Peer>();
  const liveRoutes = new Map<string, Set<Peer>>();
  let deliverySeq = 0;
  let closed = false;

  function send(peer: Peer, body: HubToChild, onError?: (err: Error) => void): void {
    const fail = (err: Error) => {
      log?.debug({ err, child: peer.name, t: body.t }, "IPC send to child failed");
      onError?.(err);
    };
    if (!peer.child.connected) {
      fail(new Error(`child ${peer.name} is not connected`));
      return;
    }
    try {
      peer.child.send(body, (err) => {
        if (err) fail(err);
      });
    } catch (err) {
      fail(err as Error);
    }
  }

  function reply(peer: Peer, req: number, err?: unknown): void {
    send(peer, err === undefined ? { ch: IPC_CHANNEL, t: "reply", req } : { ch: IPC_CHANNEL, t: "reply", req, error: errorMessage(err) });
  }

  // Session revocations: the hub lives exactly as long as the platform (a child that exits stops
  // it), and the player service seeds the set from its database each time it starts.
  const revoked = new RevocationSet();
  let revocationsSeeded = false;
  const revocationFollowers = new Set<Peer>();
  const pruneRevocations = setInterval(() => revoked.prune(), 60_000);
  pruneRevocations.unref();

  function deliverTo(peer: Peer, sub: string, event: DomainEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const delivery = ++deliverySeq;
      const timer = setTimeout(() => {
        peer.deliveries.delete(delivery);
        reject(new Error(`child ${peer.name} did not ack event ${event.id} within ${ackTimeoutMs} ms`));
      }, ackTimeoutMs);
      peer.deliveries.set(delivery, { sub, resolve, reject, timer });
      send(peer, { ch: IPC_CHANNEL, t: "bus.deliver", sub, delivery, event }, (err) => settle(peer, delivery, err));
    });
  }

  function settle(peer: Peer, delivery: number, err?: Error): void {
    const pending = peer.deliveries.get(delivery);
    // Unknown: already timed out and redelivered, or the subscription is gone. Nothing to do.
    if (!pending) return;
    peer.deliveries.delete(delivery);
    clearTimeout(pending.timer);
    if (err) pending.reject(err);
    else pending.resolve();
  }

  function dropSubscription(peer: Peer, sub: string, why: string): Promise<void> {
    for (const [delivery, pending] of peer.deliveries) {
      if (pending.sub === sub) settle(peer, delivery, new Error(why));
    }
    const leave = peer.subs.get(sub);
    peer.subs.delete(sub);
    return leave ? leave() : Promise.resolve();
  }

  function unroute(peer: Peer, playerId: string): void {
    peer.players.delete(playerId);
    const set = liveRoutes.get(playerId);
    if (!set) return;
    set.delete(peer);
    if (set.size === 0) liveRoutes.delete(playerId);
  }

  async function handle(peer: Peer, msg: ChildToHub): Promise<void> {
    switch (msg.t) {
      case "bus.publish":
        try {
          eventLog.append(toJsonSafe(msg.events));
          reply(peer, msg.req);
        } catch (err) {
          reply(peer, msg.req, err);
        }
        return;
      case "bus.subscribe":
        try {
          if (!peer.subs.has(msg.sub)) {
            const sub = msg.sub;
            const leave = eventLog.join(msg.group, {
              types: typeFilter(msg.types),
              deliver: (event) => deliverTo(peer, sub, event),
            });
            peer.subs.set(sub, leave);
          }
          reply(peer, msg.req);
        } catch (err) {
          reply(peer, msg.req, err);
        }
        return;
      case "bus.unsubscribe":
        await dropSubscription(peer, msg.sub, "subscription closed");
        reply(peer, msg.req);
        return;
      case "bus.ack":
        settle(peer, msg.delivery);
        return;
      case "bus.nack":
        settle(peer, msg.delivery, new Error(`handler in ${peer.name} failed: ${msg.error}`));
        return;
      case "live.publish": {
        const message = toJsonSafe(msg.message);
        for (const target of liveRoutes.get(message.playerId) ?? []) {
          send(target, { ch: IPC_CHANNEL, t: "live.deliver", message });
        }
        reply(peer, msg.req);
        return;
      }
      case "live.subscribe": {
        let set = liveRoutes.get(msg.playerId);
        if (!set) {
          set = new Set();
          liveRoutes.set(msg.playerId, set);
        }
        set.add(peer);
        peer.players.add(msg.playerId);
        reply(peer, msg.req);
        return;
      }
      case "live.unsubscribe":
        unroute(peer, msg.playerId);
        reply(peer, msg.req);
        return;
      case "auth.revoke":
      case "auth.seed": {
        const parsed = revokedSessionsSchema.safeParse(msg.entries);
        if (!parsed.success) {
          reply(peer, msg.req, new Error("malformed session revocations"));
          return;
        }
        const added = revoked.add(parsed.data);
        if (msg.t === "auth.seed") {
          revocationsSeeded = true;
          const entries = revoked.list();
          for (const target of revocationFollowers) send(target, { ch: IPC_CHANNEL, t: "auth.snapshot", entries });
        } else if (added.length > 0) {
          // Sent to the gateways before the reply: the revoking request answers only after this.
          for (const target of revocationFollowers) send(target, { ch: IPC_CHANNEL, t: "auth.revoked", entries: added });
        }
        reply(peer, msg.req);
        return;
      }
      case "auth.seeded":
        send(peer, { ch: IPC_CHANNEL, t: "reply", req: msg.req, value: revocationsSeeded });
        return;
      case "auth.follow":
        revocationFollowers.add(peer);
        if (revocationsSeeded) send(peer, { ch: IPC_CHANNEL, t: "auth.snapshot", entries: revoked.list() });
        reply(peer, msg.req);
        return;
      case "auth.unfollow":
        revocationFollowers.delete(peer);
        reply(peer, msg.req);
        return;
      default:
        assertNever(msg);
    }
  }

  function detach(child: ChildProcess): void {
    const peer = peers.get(child);
    if (!peer) return;
    peers.delete(child);
    child.off("message", peer.onMessage);
    child.off("exit", peer.onGone);
    child.off("disconnect", peer.onGone);
    const unacked = peer.deliveries.size;
    for (const sub of [...peer.subs.keys()]) {
      void dropSubscription(peer, sub, `child ${peer.name} went away`);
    }
    for (const playerId of [...peer.players]) unroute(peer, playerId);
    revocationFollowers.delete(peer);
    log?.info({ child: peer.name, unacked }, "IPC child detached");
  }

  return {
    attach(child, name) {
      if (closed) throw new Error("IPC hub is closed");
      if (peers.has(child)) return;
      const peer: Peer = {
        name,
        child,
        subs: new Map(),
        deliveries: new Map(),
        players: new Set(),
        onMessage: (msg: unknown) => {
          if (!isTagged(msg)) return;
          handle(peer, msg as ChildToHub).catch((err: unknown) =>
            log?.error({ err, child: name, t: msg.t }, "IPC hub failed to handle a message"),
          );
        },
        onGone: () => detach(child),
      };
      peers.set(child, peer);
      child.on("message", peer.onMessage);
      child.on("exit", peer.onGone);
      child.on("disconnect", peer.onGone);
    },
    detach,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pruneRevocations);
      for (const child of [...peers.keys()]) detach(child);
      await eventLog.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Child side

type Request = ChildToHub extends infer M ? (M extends { req: number } ? Omit<M, "req" | "ch"> : never) : never;
type Notice = ChildToHub extends infer M ? (M extends { req: number } ? never : Omit<M, "ch">) : never;

interface ChildSubscription {
  readonly handler: EventHandler;
  closing: boolean;
  inflight: Promise<void> | undefined;
}

/**
 * The child's end of the channel, one per process: IpcBus and IpcLiveChannel instances share it
 * so that replies, deliveries and per-player live routes are never handled twice.
 */
class ChildEndpoint {
  private reqSeq = 0;
  private subSeq = 0;
  private users = 0;
  private listening = false;
  private readonly requests = new Map<number, { resolve: (value?: boolean) => void; reject: (err: Error) => void }>();
  private readonly subs = new Map<string, ChildSubscription>();
  readonly live = new LiveListeners();
  readonly revocationFollowers = new Set<RevocationFollower>();
  private log: Logger | undefined;

  private readonly onMessage = (msg: unknown): void => {
    if (isTagged(msg)) this.receive(msg as HubToChild);
  };

  private readonly onDisconnect = (): void => {
    for (const { reject } of this.requests.values()) reject(new Error("IPC channel to the supervisor closed"));
    this.requests.clear();
    for (const follower of this.revocationFollowers) follower.unavailable("IPC channel to the supervisor closed");
  };

  static available(): boolean {
    return typeof process.send === "function";
  }

  retain(log: Logger | undefined): void {
    if (log && !this.log) {
      this.log = log;
      this.live.useLogger(log);
    }
    if (!ChildEndpoint.available()) throw new Error("IPC event transport needs a process forked with an IPC channel");
    this.users += 1;
    if (!this.listening) {
      process.on("message", this.onMessage);
      process.on("disconnect", this.onDisconnect);
      this.listening = true;
    }
  }

  release(): void {
    this.users -= 1;
    // An IPC 'message' listener keeps the process alive; drop it once nobody needs it.
    if (this.users <= 0 && this.listening) {
      process.off("message", this.onMessage);
      process.off("disconnect", this.onDisconnect);
      this.listening = false;
      this.users = 0;
    }
  }

  nextSubscriptionId(): string {
    return `${process.pid}.${++this.subSeq}`;
  }

  private post(body: ChildToHub): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!process.send || !process.connected) {
        reject(new Error("IPC channel to the supervisor is closed"));
        return;
      }
      try {
        process.send(body, undefined, {}, (err: Error | null) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  request(body: Request): Promise<boolean | undefined> {
    const req = ++this.reqSeq;
    return new Promise<boolean | undefined>((resolve, reject) => {
      this.requests.set(req, { resolve, reject });
      this.post({ ...body, req, ch: IPC_CHANNEL } as ChildToHub).catch((err: Error) => {
        this.requests.delete(req);
        reject(err);
      });
    });
  }

  notify(body: Notice): void {
    this.post({ ...body, ch: IPC_CHANNEL } as ChildToHub).catch(() => {
      // The hub is gone, so is the delivery it was about; the supervisor redelivers on restart.
    });
  }

  addSubscription(sub: string, handler: EventHandler): ChildSubscription {
    const state: ChildSubscription = { handler, closing: false, inflight: undefined };
    this.subs.set(sub, state);
    return state;
  }

  removeSubscription(sub: string): void {
    this.subs.delete(sub);
  }

  private receive(msg: HubToChild): void {
    switch (msg.t) {
      case "reply": {
        const pending = this.requests.get(msg.req);
        if (!pending) return;
        this.requests.delete(msg.req);
        if (msg.error !== undefined) pending.reject(new Error(msg.error));
        else pending.resolve(msg.value);
        return;
      }
      case "bus.deliver": {
        const state = this.subs.get(msg.sub);
        if (!state || state.closing) {
          this.notify({ t: "bus.nack", delivery: msg.delivery, error: "subscription closed" });
          return;
        }
        const run = Promise.resolve()
          .then(() => state.handler(msg.event))
          .then(
            () => this.notify({ t: "bus.ack", delivery: msg.delivery }),
            (err: unknown) => {
              this.log?.warn({ err, eventId: msg.event.id, type: msg.event.type }, "event handler failed; the hub redelivers it");
              this.notify({ t: "bus.nack", delivery: msg.delivery, error: errorMessage(err) });
            },
          )
          .finally(() => {
            if (state.inflight === run) state.inflight = undefined;
          });
        state.inflight = run;
        return;
      }
      case "live.deliver":
        this.live.emit(msg.message);
        return;
      case "auth.snapshot":
        for (const follower of this.revocationFollowers) follower.snapshot(msg.entries);
        return;
      case "auth.revoked":
        for (const follower of this.revocationFollowers) follower.revoked(msg.entries);
        return;
      default:
        assertNever(msg);
    }
  }
}

let endpoint: ChildEndpoint | undefined;
function childEndpoint(): ChildEndpoint {
  endpoint ??= new ChildEndpoint();
  return endpoint;
}

/** The bus of a forked child: events go through the supervisor's hub. */
export class IpcBus implements EventBus {
  private readonly endpoint = childEndpoint();
  private readonly subscriptions = new Set<EventSubscription>();
  private closed = false;

  constructor(opts: { log?: Logger } = {}) {
    this.endpoint.retain(opts.log);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (this.closed) throw new Error("IPC bus is closed");
    if (events.length === 0) return;
    await this.endpoint.request({ t: "bus.publish", events: toJsonSafe([...events]) });
  }

  async subscribe(group: string, types: readonly string[] | "*", handler: EventHandler): Promise<EventSubscription> {
    if (this.closed) throw new Error("IPC bus is closed");
    const sub = this.endpoint.nextSubscriptionId();
    const state = this.endpoint.addSubscription(sub, handler);
    try {
      await this.endpoint.request({ t: "bus.subscribe", sub, group, types: types === "*" ? "*" : [...types] });
    } catch (err) {
      this.endpoint.removeSubscription(sub);
      throw err;
    }
    let closing: Promise<void> | undefined;
    const subscription: EventSubscription = {
      close: () => {
        closing ??= (async () => {
          state.closing = true;
          this.subscriptions.delete(subscription);
          // Ack what is in hand first; anything the hub sends after this is nacked and goes elsewhere.
          await state.inflight;
          this.endpoint.removeSubscription(sub);
          await this.endpoint.request({ t: "bus.unsubscribe", sub }).catch(() => undefined);
        })();
        return closing;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    this.endpoint.release();
  }
}

/** The live channel of a forked child (the gateway): per-player routes live in the hub. */
export class IpcLiveChannel implements LiveChannel {
  private readonly endpoint = childEndpoint();
  private readonly mine = new Map<LiveListener, string>();
  private closed = false;

  constructor(opts: { log?: Logger } = {}) {
    this.endpoint.retain(opts.log);
  }

  async publish(message: LiveMessage): Promise<void> {
    if (this.closed) throw new Error("IPC live channel is closed");
    await this.endpoint.request({ t: "live.publish", message: toJsonSafe(message) });
  }

  async subscribe(playerId: string, listener: LiveListener): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("IPC live channel is closed");
    const own: LiveListener = (m) => listener(m);
    this.mine.set(own, playerId);
    // The hub's route is per process; only the first local listener of a player asks for it.
    if (this.endpoint.live.add(playerId, own)) {
      try {
        await this.endpoint.request({ t: "live.subscribe", playerId });
      } catch (err) {
        this.mine.delete(own);
        this.endpoint.live.remove(playerId, own);
        throw err;
      }
    }
    return () => this.unsubscribe(own);
  }

  private async unsubscribe(own: LiveListener): Promise<void> {
    const playerId = this.mine.get(own);
    if (playerId === undefined) return;
    this.mine.delete(own);
    if (this.endpoint.live.remove(playerId, own)) {
      await this.endpoint.request({ t: "live.unsubscribe", playerId }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.mine.keys()].map((own) => this.unsubscribe(own)));
    this.endpoint.release();
  }
}

/** Session revocations of a forked child: the set lives in the supervisor's hub. */
export class IpcRevocationFeed implements SessionRevocationFeed {
  private readonly endpoint = childEndpoint();
  private readonly mine = new Set<RevocationFollower>();
  private closed = false;

  constructor(opts: { log?: Logger } = {}) {
    this.endpoint.retain(opts.log);
  }

  async revoke(entries: readonly RevokedSession[]): Promise<void> {
    if (this.closed) throw new Error("IPC revocation feed is closed");
    await this.endpoint.request({ t: "auth.revoke", entries: revokedSessionsSchema.parse(entries) });
  }

  async seed(entries: readonly RevokedSession[]): Promise<void> {
    if (this.closed) throw new Error("IPC revocation feed is closed");
    await this.endpoint.request({ t: "auth.seed", entries: revokedSessionsSchema.parse(entries) });
  }

  async isSeeded(): Promise<boolean> {
    if (this.closed) throw new Error("IPC revocation feed is closed");
    return (await this.endpoint.request({ t: "auth.seeded" })) === true;
  }

  async follow(follower: RevocationFollower): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("IPC revocation feed is closed");
    const own: RevocationFollower = {
      snapshot: (e) => follower.snapshot(revokedSessionsSchema.parse(e)),
      revoked: (e) => follower.revoked(revokedSessionsSchema.parse(e)),
      unavailable: (r) => follower.unavailable(r),
    };
    // Unavailable until the hub sends a snapshot, which it does at once when the set is seeded.
    own.unavailable("session revocations not loaded yet");
    this.mine.add(own);
    this.endpoint.revocationFollowers.add(own);
    // Asked again by every follower of the process: the hub answers each with a fresh snapshot.
    await this.endpoint.request({ t: "auth.follow" });
    return () => this.unfollow(own);
  }

  private async unfollow(own: RevocationFollower): Promise<void> {
    if (!this.mine.delete(own)) return;
    this.endpoint.revocationFollowers.delete(own);
    if (this.endpoint.revocationFollowers.size === 0) await this.endpoint.request({ t: "auth.unfollow" }).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.mine].map((own) => this.unfollow(own)));
    this.endpoint.release();
  }
}
