import type { Logger } from "../logger.ts";
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

export type TypeFilter = ReadonlySet<string> | "*";

export function typeFilter(types: readonly string[] | "*"): TypeFilter {
  return types === "*" ? "*" : new Set(types);
}

export function matchesType(filter: TypeFilter, type: string): boolean {
  return filter === "*" || filter.has(type);
}

/** One consumer in a group: a local handler, or a child process behind the IPC hub. */
export interface GroupMember {
  readonly types: TypeFilter;
  /** Resolves when the event is handled (acked); rejects to have it redelivered later. */
  deliver(event: DomainEvent): Promise<void>;
}

export interface EventLogOptions {
  /** How many events are kept for groups that subscribe late (oldest are dropped first). */
  capacity?: number;
  /** First redelivery delay after a failed delivery; doubles per attempt. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  log?: Logger | undefined;
}

interface MemberState {
  readonly member: GroupMember;
  inflight: Promise<void> | undefined;
  removed: boolean;
}

interface Retry {
  readonly event: DomainEvent;
  readonly attempt: number;
}

interface Group {
  readonly name: string;
  /** Absolute offset of the next log entry this group has not yet taken. */
  cursor: number;
  /** Failed events whose retry delay has passed, waiting for a free member. */
  readonly ready: Retry[];
  readonly timers: Set<NodeJS.Timeout>;
  members: MemberState[];
  /** Round-robin position so members of a group share the load. */
  next: number;
  pumpScheduled: boolean;
}

/**
 * A bounded event log with consumer groups, the in-memory counterpart of a Redis stream: each
 * group sees every event once, split over its members; a group created late starts from the
 * oldest retained event; a failed delivery comes back after a delay (to any member). Each member
 * handles one event at a time, so without failures a member sees events in publish order.
 */
export class EventLog {
  private readonly capacity: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly log: Logger | undefined;
  private entries: DomainEvent[] = [];
  /** Absolute offset of entries[0]. */
  private base = 0;
  private readonly groups = new Map<string, Group>();
  private closed = false;

  constructor(opts: EventLogOptions = {}) {
    this.capacity = opts.capacity ?? 100_000;
    this.retryDelayMs = opts.retryDelayMs ?? 200;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 30_000;
    this.log = opts.log;
  }

  get size(): number {
    return this.entries.length;
  }

  append(events: readonly DomainEvent[]): void {
    if (this.closed) throw new Error("event log is closed");
    if (events.length === 0) return;
    this.entries.push(...events);
    // Trim in chunks so appending stays amortised O(1) instead of shifting on every event.
    const excess = this.entries.length - this.capacity;
    if (excess > 0 && (excess >= this.capacity / 10 || excess >= 1_000)) {
      this.entries = this.entries.slice(excess);
      this.base += excess;
    }
    for (const group of this.groups.values()) this.schedulePump(group);
  }

  /** Adds a member to `group` (creating the group at the oldest retained event); returns its removal. */
  join(groupName: string, member: GroupMember): () => Promise<void> {
    if (this.closed) throw new Error("event log is closed");
    let group = this.groups.get(groupName);
    if (!group) {
      group = {
        name: groupName,
        cursor: this.base,
        ready: [],
        timers: new Set(),
        members: [],
        next: 0,
        pumpScheduled: false,
      };
      this.groups.set(groupName, group);
    }
    const state: MemberState = { member, inflight: undefined, removed: false };
    group.members.push(state);
    this.schedulePump(group);
    const g = group;
    return async () => {
      if (state.removed) return;
      state.removed = true;
      g.members = g.members.filter((m) => m !== state);
      await state.inflight;
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const inflight: Promise<void>[] = [];
    for (const group of this.groups.values()) {
      for (const t of group.timers) clearTimeout(t);
      group.timers.clear();
      for (const m of group.members) {
        m.removed = true;
        if (m.inflight) inflight.push(m.inflight);
      }
      group.members = [];
    }
    await Promise.all(inflight);
  }

  private schedulePump(group: Group): void {
    if (group.pumpScheduled || this.closed) return;
    group.pumpScheduled = true;
    // Deliver on a later tick: a publisher (the outbox relay, inside its transaction) must never
    // run consumer code on its own stack.
    setImmediate(() => {
      group.pumpScheduled = false;
      this.pump(group);
    });
  }

  private pump(group: Group): void {
    while (!this.closed) {
      if (group.cursor < this.base) {
        this.log?.warn({ group: group.name, lost: this.base - group.cursor }, "consumer group fell behind the event log; oldest events dropped");
        group.cursor = this.base;
      }
      const fromRetry = group.ready.length > 0;
      const item: Retry | undefined = fromRetry
        ? group.ready[0]
        : group.cursor - this.base < this.entries.length
          ? { event: this.entries[group.cursor - this.base]!, attempt: 0 }
          : undefined;
      if (!item) return;
      const matching = group.members.filter((m) => matchesType(m.member.types, item.event.type));
      let chosen: MemberState | undefined;
      if (matching.length > 0) {
        for (let i = 0; i < group.members.length; i++) {
          const candidate = group.members[(group.next + i) % group.members.length]!;
          if (!candidate.inflight && matchesType(candidate.member.types, item.event.type)) {
            chosen = candidate;
            group.next = (group.next + i + 1) % group.members.length;
            break;
          }
        }
        // Every member that wants it is busy: wait for one to finish rather than reorder.
        if (!chosen) return;
      }
      if (fromRetry) group.ready.shift();
      else group.cursor += 1;
      // No member of this group wants this type: like a filtered Redis entry, it counts as handled.
      if (chosen) this.dispatch(group, chosen, item);
    }
  }

  private dispatch(group: Group, state: MemberState, item: Retry): void {
    const done = Promise.resolve()
      .then(() => state.member.deliver(item.event))
      .catch((err: unknown) => this.retryLater(group, item, err))
      .finally(() => {
        state.inflight = undefined;
        this.schedulePump(group);
      });
    state.inflight = done;
  }

  private retryLater(group: Group, item: Retry, err: unknown): void {
    if (this.closed) return;
    const attempt = item.attempt + 1;
    const delay = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** (attempt - 1));
    this.log?.warn(
      { err, group: group.name, eventId: item.event.id, type: item.event.type, attempt, retryInMs: delay },
      "event handler failed; redelivering later",
    );
    const timer = setTimeout(() => {
      group.timers.delete(timer);
      group.ready.push({ event: item.event, attempt });
      this.schedulePump(group);
    }, delay);
    group.timers.add(timer);
  }
}

export type InProcessBusOptions = EventLogOptions;

/** The event bus of a process that runs alone (tests, a single embedded service). */
export class InProcessBus implements EventBus {
  private readonly eventLog: EventLog;
  private readonly subscriptions = new Set<() => Promise<void>>();

  constructor(opts: InProcessBusOptions = {}) {
    this.eventLog = new EventLog(opts);
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    // Copying through JSON gives handlers the same bigint-free, unshared objects Redis would.
    this.eventLog.append(toJsonSafe(events));
  }

  async subscribe(group: string, types: readonly string[] | "*", handler: EventHandler): Promise<EventSubscription> {
    const leave = this.eventLog.join(group, { types: typeFilter(types), deliver: handler });
    this.subscriptions.add(leave);
    return {
      close: async () => {
        this.subscriptions.delete(leave);
        await leave();
      },
    };
  }

  async close(): Promise<void> {
    this.subscriptions.clear();
    await this.eventLog.close();
  }
}

/**
 * Fan-out of live messages to local listeners keyed by player. Shared by the in-process channel,
 * the IPC child and the Redis subscriber so that listener errors are handled the same way.
 */
export class LiveListeners {
  private readonly byPlayer = new Map<string, Set<LiveListener>>();

  constructor(private log?: Logger) {}

  useLogger(log: Logger): void {
    this.log = log;
  }

  /** Returns true when this is the player's first listener. */
  add(playerId: string, listener: LiveListener): boolean {
    let set = this.byPlayer.get(playerId);
    const first = !set;
    if (!set) {
      set = new Set();
      this.byPlayer.set(playerId, set);
    }
    set.add(listener);
    return first;
  }

  /** Returns true when the player has no listener left. */
  remove(playerId: string, listener: LiveListener): boolean {
    const set = this.byPlayer.get(playerId);
    if (!set || !set.delete(listener)) return false;
    if (set.size > 0) return false;
    this.byPlayer.delete(playerId);
    return true;
  }

  has(playerId: string): boolean {
    return this.byPlayer.has(playerId);
  }

  players(): string[] {
    return [...this.byPlayer.keys()];
  }

  clear(): void {
    this.byPlayer.clear();
  }

  emit(message: LiveMessage): void {
    const set = this.byPlayer.get(message.playerId);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (err) {
        // One broken subscription must not starve the player's other connections.
        this.log?.error({ err, playerId: message.playerId, topic: message.topic }, "live listener threw");
      }
    }
  }
}

export class InProcessLiveChannel implements LiveChannel {
  private readonly listeners: LiveListeners;
  private closed = false;

  constructor(opts: { log?: Logger } = {}) {
    this.listeners = new LiveListeners(opts.log);
  }

  async publish(message: LiveMessage): Promise<void> {
    if (this.closed) throw new Error("live channel is closed");
    this.listeners.emit(toJsonSafe(message));
  }

  async subscribe(playerId: string, listener: LiveListener): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("live channel is closed");
    // Wrapping makes each subscription distinct even when the same function subscribes twice.
    const own: LiveListener = (m) => listener(m);
    this.listeners.add(playerId, own);
    return async () => {
      this.listeners.remove(playerId, own);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}
