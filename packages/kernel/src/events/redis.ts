import { randomBytes } from "node:crypto";
import os from "node:os";
import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../logger.ts";
import { LiveListeners, matchesType, typeFilter, type TypeFilter } from "./memory.ts";
import { toJsonText } from "./outbox.ts";
import type {
  DomainEvent,
  EventBus,
  EventHandler,
  EventSubscription,
  LiveChannel,
  LiveListener,
  LiveMessage,
} from "./types.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function connect(url: string, log: Logger, role: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { connectionName: `casino-${role}`, ...options });
  let lastLogged = 0;
  client.on("error", (err: Error) => {
    // ioredis reports every failed reconnect attempt; one line per few seconds is enough.
    const now = Date.now();
    if (now - lastLogged < 5_000) return;
    lastLogged = now;
    log.warn({ err, role }, "redis connection error");
  });
  return client;
}

/** A Redis connection as every part of the platform opens one: named, and logging its errors sparingly. */
export const connectRedis = connect;

/** QUIT when connected; otherwise stop reconnecting at once (QUIT would wait for a connection that may never come). */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === "ready") await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

type StreamEntry = [id: string, fields: string[] | null];

function parseEntries(raw: unknown): StreamEntry[] {
  return Array.isArray(raw) ? (raw as StreamEntry[]) : [];
}

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

export interface RedisStreamBusOptions {
  url: string;
  /** Prepended to every key, e.g. "casino:"; the stream is `<prefix>events`. */
  keyPrefix?: string;
  log: Logger;
  /** Approximate stream length kept for late groups and replays. */
  maxLen?: number;
  /** A pending entry idle this long belongs to a dead (or failed) consumer and is claimed. */
  claimMinIdleMs?: number;
  /** How often each consumer looks for claimable entries. */
  claimIntervalMs?: number;
  /** Longest single XREADGROUP BLOCK. */
  blockMs?: number;
  /** Entries per XREADGROUP / XAUTOCLAIM. */
  batchSize?: number;
  /** Consumers with nothing pending and idle this long are removed from the group. */
  staleConsumerMs?: number;
}

/**
 * Event bus on one Redis stream, `<prefix>events`, holding every service's events in publish
 * order. One stream (rather than one per type or per service) keeps `subscribe(group, "*")`
 * trivial, gives a single XREADGROUP per subscription and one cursor per group; the price is that
 * each group reads and acks events it does not want, which at this platform's volumes is noise.
 * Groups are created at id 0, so a group that appears late replays what the stream retains,
 * matching the embedded bus.
 */
export class RedisStreamBus implements EventBus {
  readonly stream: string;
  private readonly cmd: Redis;
  private readonly consumers = new Set<StreamConsumer>();
  private readonly settings: Required<Omit<RedisStreamBusOptions, "keyPrefix" | "log">> & { log: Logger };
  private closed = false;

  constructor(opts: RedisStreamBusOptions) {
    const log = opts.log.child({ component: "redis-bus" });
    const claimMinIdleMs = opts.claimMinIdleMs ?? 30_000;
    this.settings = {
      url: opts.url,
      log,
      maxLen: Math.max(opts.maxLen ?? 1_000_000, 1),
      claimMinIdleMs,
      claimIntervalMs: opts.claimIntervalMs ?? Math.max(50, Math.min(claimMinIdleMs / 2, 10_000)),
      blockMs: opts.blockMs ?? 5_000,
      batchSize: opts.batchSize ?? 32,
      staleConsumerMs: opts.staleConsumerMs ?? 3_600_000,
    };
    this.stream = `${opts.keyPrefix ?? ""}events`;
    this.cmd = connect(opts.url, log, "bus");
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    if (this.closed) throw new Error("redis bus is closed");
    if (events.length === 0) return;
    const pipeline = this.cmd.pipeline();
    for (const event of events) {
      pipeline.call(
        "XADD", this.stream, "MAXLEN", "~", String(this.settings.maxLen), "*",
        "type", event.type, "event", toJsonText(event),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async subscribe(group: string, types: readonly string[] | "*", handler: EventHandler): Promise<EventSubscription> {
    if (this.closed) throw new Error("redis bus is closed");
    const consumer = new StreamConsumer(this.cmd, this.stream, group, typeFilter(types), handler, this.settings);
    await consumer.start();
    this.consumers.add(consumer);
    return {
      close: async () => {
        this.consumers.delete(consumer);
        await consumer.close();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.consumers].map((c) => c.close()));
    this.consumers.clear();
    await closeRedis(this.cmd);
  }
}

/**
 * One subscription: a consumer in a group, reading on its own blocking connection. Entries are
 * handled one at a time and acked only after the handler resolved; a failed entry stays pending
 * and comes back through XAUTOCLAIM once it has been idle for `claimMinIdleMs` (to this consumer
 * or any other in the group), which is also how entries of crashed consumers are recovered.
 */
class StreamConsumer {
  readonly name: string;
  private readonly log: Logger;
  private blocking: Redis | undefined;
  private blockingId: string | undefined;
  private loop: Promise<void> | undefined;
  private closing = false;
  private blocked = false;
  private claimCursor = "0-0";
  private nextClaimAt = 0;
  private nextCleanupAt = 0;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly cmd: Redis,
    private readonly stream: string,
    private readonly group: string,
    private readonly types: TypeFilter,
    private readonly handler: EventHandler,
    private readonly settings: Required<Omit<RedisStreamBusOptions, "keyPrefix" | "log">> & { log: Logger },
  ) {
    this.name = `${group}-${os.hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
    this.log = settings.log.child({ group, consumer: this.name });
  }

  async start(): Promise<void> {
    await this.ensureGroup();
    this.blocking = connect(this.settings.url, this.settings.log, `bus-reader:${this.group}`);
    this.blockingId = String(await this.blocking.call("CLIENT", "ID"));
    this.loop = this.run();
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.cmd.call("XGROUP", "CREATE", this.stream, this.group, "0", "MKSTREAM");
    } catch (err) {
      if (!errorText(err).includes("BUSYGROUP")) throw err;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.closing) {
      try {
        if (Date.now() >= this.nextClaimAt) {
          await this.claim();
          this.nextClaimAt = Date.now() + this.settings.claimIntervalMs;
        }
        if (Date.now() >= this.nextCleanupAt) {
          await this.removeStaleConsumers();
          this.nextCleanupAt = Date.now() + Math.min(60_000, this.settings.staleConsumerMs);
        }
        if (this.closing) break;
        const block = Math.max(1, Math.min(this.settings.blockMs, this.nextClaimAt - Date.now()));
        this.blocked = true;
        let reply: unknown;
        try {
          reply = await this.blocking!.call(
            "XREADGROUP", "GROUP", this.group, this.name, "COUNT", String(this.settings.batchSize),
            "BLOCK", String(block), "STREAMS", this.stream, ">",
          );
        } finally {
          this.blocked = false;
        }
        // Reply: [[stream, [[id, fields], ...]]], or null when the block timed out / was unblocked.
        const streams = Array.isArray(reply) ? (reply as [string, unknown][]) : [];
        for (const [, entries] of streams) await this.handleBatch(parseEntries(entries));
        failures = 0;
      } catch (err) {
        if (this.closing) break;
        failures += 1;
        if (errorText(err).includes("NOGROUP")) {
          // The stream was deleted (FLUSHALL, manual cleanup): recreate it and the group.
          await this.ensureGroup().catch(() => undefined);
        }
        this.log.warn({ err, failures }, "reading the event stream failed; retrying");
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  private async claim(): Promise<void> {
    // Bounded so a huge backlog of failed entries cannot starve new ones.
    for (let round = 0; round < 10 && !this.closing; round++) {
      const reply = (await this.cmd.call(
        "XAUTOCLAIM", this.stream, this.group, this.name, String(this.settings.claimMinIdleMs),
        this.claimCursor, "COUNT", String(this.settings.batchSize),
      )) as [string, unknown, unknown?];
      this.claimCursor = reply[0];
      const entries = parseEntries(reply[1]);
      if (entries.length > 0) {
        this.log.info({ count: entries.length }, "claimed pending events of a failed or dead consumer");
        await this.handleBatch(entries);
      }
      if (this.claimCursor === "0-0") return;
    }
  }

  private async handleBatch(entries: StreamEntry[]): Promise<void> {
    const skip: string[] = [];
    try {
      for (const [id, fields] of entries) {
        if (this.closing) break;
        // Entries trimmed away while pending come back without fields; nothing left to do.
        if (!fields) {
          skip.push(id);
          continue;
        }
        const type = field(fields, "type");
        if (type === undefined || !matchesType(this.types, type)) {
          skip.push(id);
          continue;
        }
        let event: DomainEvent;
        try {
          event = JSON.parse(field(fields, "event") ?? "") as DomainEvent;
        } catch (err) {
          // Retrying cannot fix a malformed entry; leaving it pending would replay it forever.
          this.log.error({ err, entryId: id }, "dropping malformed stream entry");
          skip.push(id);
          continue;
        }
        try {
          await this.handler(event);
        } catch (err) {
          this.log.warn(
            { err, eventId: event.id, type: event.type, retryAfterMs: this.settings.claimMinIdleMs },
            "event handler failed; the entry stays pending and is claimed again",
          );
          continue;
        }
        await this.cmd.call("XACK", this.stream, this.group, id);
      }
    } finally {
      if (skip.length > 0) await this.cmd.call("XACK", this.stream, this.group, ...skip);
    }
  }

  /** Every restart adds a consumer name; forget the ones that are gone and own nothing. */
  private async removeStaleConsumers(): Promise<void> {
    const reply = (await this.cmd.call("XINFO", "CONSUMERS", this.stream, this.group)) as unknown[];
    for (const raw of reply) {
      const info = raw as unknown[];
      const get = (key: string) => info[info.indexOf(key) + 1];
      const name = String(get("name"));
      const pending = Number(get("pending"));
      const idle = Number(get("idle"));
      if (name !== this.name && pending === 0 && idle > this.settings.staleConsumerMs) {
        await this.cmd.call("XGROUP", "DELCONSUMER", this.stream, this.group, name);
        this.log.info({ removed: name, idleMs: idle }, "removed stale consumer");
      }
    }
  }

  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    // CLIENT UNBLOCK ends a waiting XREADGROUP with "no entries", so nothing gets delivered to a
    // consumer that is leaving. The loop may be between reads when it arrives, hence the repeat.
    const unblock = setInterval(() => {
      if (this.blocked && this.blockingId) {
        this.cmd.call("CLIENT", "UNBLOCK", this.blockingId).catch(() => undefined);
      }
    }, 20);
    const giveUp = setTimeout(() => this.blocking?.disconnect(), this.settings.blockMs + 1_000);
    if (this.blocked && this.blockingId) await this.cmd.call("CLIENT", "UNBLOCK", this.blockingId).catch(() => undefined);
    try {
      await this.loop;
    } finally {
      clearInterval(unblock);
      clearTimeout(giveUp);
    }
    await this.blocking?.quit().catch(() => this.blocking?.disconnect());
    try {
      // Only a consumer with nothing pending may go: DELCONSUMER discards its pending entries.
      const pending = (await this.cmd.call("XPENDING", this.stream, this.group, "-", "+", "1", this.name)) as unknown[];
      if (pending.length === 0) await this.cmd.call("XGROUP", "DELCONSUMER", this.stream, this.group, this.name);
    } catch (err) {
      this.log.debug({ err }, "could not remove consumer on close");
    }
  }
}

export interface RedisLiveChannelOptions {
  url: string;
  /** Channels are `<prefix>live:<playerId>`. */
  keyPrefix?: string;
  log: Logger;
}

/**
 * Live messages over Redis pub/sub, one channel per player so a gateway only receives the players
 * it serves. Each process has one subscriber connection for all of its players; a player's
 * channel is subscribed while at least one local listener wants it.
 */
export class RedisLiveChannel implements LiveChannel {
  private readonly prefix: string;
  private readonly log: Logger;
  private readonly url: string;
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private readonly listeners: LiveListeners;
  /** Channels Redis has confirmed, reconciled per player in `sync`. */
  private readonly subscribed = new Set<string>();
  /** Per-player queue so subscribe/unsubscribe of one player reach Redis in order. */
  private readonly syncing = new Map<string, Promise<void>>();
  private closed = false;

  constructor(opts: RedisLiveChannelOptions) {
    this.url = opts.url;
    this.prefix = `${opts.keyPrefix ?? ""}live:`;
    this.log = opts.log.child({ component: "redis-live" });
    this.listeners = new LiveListeners(this.log);
  }

  private publisher(): Redis {
    // Lazy: subgraphs only publish and the gateway only subscribes, so each opens what it uses.
    this.pub ??= connect(this.url, this.log, "live-pub");
    return this.pub;
  }

  private subscriber(): Redis {
    if (!this.sub) {
      const sub = connect(this.url, this.log, "live-sub");
      sub.on("message", (channel: string, text: string) => {
        if (!channel.startsWith(this.prefix)) return;
        let message: LiveMessage;
        try {
          message = JSON.parse(text) as LiveMessage;
        } catch (err) {
          this.log.error({ err, channel }, "malformed live message");
          return;
        }
        // A player only ever gets their own events, whatever the payload claims.
        if (message.playerId !== channel.slice(this.prefix.length)) {
          this.log.error({ channel, playerId: message.playerId }, "live message on another player's channel dropped");
          return;
        }
        this.listeners.emit(message);
      });
      this.sub = sub;
    }
    return this.sub;
  }

  /**
   * The subscriber connection once (UN)SUBSCRIBE may be sent on it. During ioredis' handshake (status
   * "connect") a SUBSCRIBE is written at once, and the handshake's ready check (INFO) then fails on a
   * connection already in subscriber mode: ioredis refuses the commands it queued, drops the
   * connection and reconnects without the channels subscribed meanwhile (it restores only those of a
   * connection that had been ready), so a subscription that resolved would receive nothing
   * (redis/ioredis#2037). In every other state a command waits in ioredis' offline queue, which is sent
   * after the ready check.
   */
  private async subscriberPastHandshake(): Promise<Redis> {
    const sub = this.subscriber();
    while (sub.status === "connect") {
      await new Promise<void>((resolve) => {
        const done = () => {
          sub.off("ready", done);
          sub.off("close", done);
          resolve();
        };
        sub.on("ready", done);
        sub.on("close", done);
      });
    }
    return sub;
  }

  async publish(message: LiveMessage): Promise<void> {
    if (this.closed) throw new Error("redis live channel is closed");
    await this.publisher().publish(this.prefix + message.playerId, toJsonText(message));
  }

  /** Every message in one pipeline (one write, one round trip), in order. */
  async publishMany(messages: readonly LiveMessage[]): Promise<void> {
    if (this.closed) throw new Error("redis live channel is closed");
    if (messages.length === 0) return;
    const pipeline = this.publisher().pipeline();
    for (const message of messages) pipeline.publish(this.prefix + message.playerId, toJsonText(message));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }

  async subscribe(playerId: string, listener: LiveListener): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("redis live channel is closed");
    const own: LiveListener = (m) => listener(m);
    this.listeners.add(playerId, own);
    try {
      await this.sync(playerId);
    } catch (err) {
      this.listeners.remove(playerId, own);
      await this.sync(playerId).catch(() => undefined);
      throw err;
    }
    let done = false;
    return async () => {
      if (done) return;
      done = true;
      if (this.listeners.remove(playerId, own) && !this.closed) await this.sync(playerId);
    };
  }

  private sync(playerId: string): Promise<void> {
    const previous = this.syncing.get(playerId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const channel = this.prefix + playerId;
        const want = this.listeners.has(playerId);
        if (want && !this.subscribed.has(channel)) {
          await (await this.subscriberPastHandshake()).subscribe(channel);
          this.subscribed.add(channel);
        } else if (!want && this.subscribed.has(channel)) {
          this.subscribed.delete(channel);
          await (await this.subscriberPastHandshake()).unsubscribe(channel);
        }
      });
    this.syncing.set(playerId, next);
    const cleanup = () => {
      if (this.syncing.get(playerId) === next) this.syncing.delete(playerId);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  /** Channels currently subscribed in Redis (for metrics and tests). */
  get channelCount(): number {
    return this.subscribed.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.subscribed.clear();
    await Promise.all([this.pub, this.sub].map((c) => (c ? closeRedis(c) : undefined)));
  }
}
