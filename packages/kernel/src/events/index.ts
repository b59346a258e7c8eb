import { InProcessRevocationFeed, type SessionRevocationFeed } from "../auth/revocations.ts";
import { RedisRevocationFeed } from "../auth/revocations-redis.ts";
import type { Logger } from "../logger.ts";
import { IpcBus, IpcLiveChannel, IpcRevocationFeed } from "./ipc.ts";
import { InProcessBus, InProcessLiveChannel } from "./memory.ts";
import { RedisLiveChannel, RedisStreamBus } from "./redis.ts";
import type { EventBus, LiveChannel } from "./types.ts";

export * from "./types.ts";
export * from "./outbox.ts";
export { InProcessBus, InProcessLiveChannel, EventLog, type EventLogOptions, type GroupMember } from "./memory.ts";
export { createIpcHub, IpcBus, IpcLiveChannel, IpcRevocationFeed, IPC_CHANNEL, type IpcHub, type IpcHubOptions } from "./ipc.ts";
export { RedisStreamBus, RedisLiveChannel, type RedisStreamBusOptions, type RedisLiveChannelOptions } from "./redis.ts";

/** Set to "1" by the supervisor in the environment of the children it forks. */
export const IPC_HUB_ENV = "CASINO_IPC_HUB";

export type EventTransportMode = "redis" | "ipc" | "memory";

export interface EventTransport {
  readonly mode: EventTransportMode;
  readonly bus: EventBus;
  readonly live: LiveChannel;
  /** Revoked sessions: the player service publishes them, gateways follow them. */
  readonly revocations: SessionRevocationFeed;
  close(): Promise<void>;
}

export interface EventTransportOptions {
  redisUrl?: string | undefined;
  keyPrefix?: string | undefined;
  log: Logger;
}

export function eventTransportMode(redisUrl: string | undefined, env: NodeJS.ProcessEnv = process.env): EventTransportMode {
  if (redisUrl) return "redis";
  if (typeof process.send === "function" && env[IPC_HUB_ENV] === "1") return "ipc";
  return "memory";
}

/**
 * Redis when a URL is configured; the supervisor's hub when forked by it; otherwise a bus private
 * to this process (a service started alone only talks to itself).
 */
export function createEventTransport(opts: EventTransportOptions): EventTransport {
  const mode = eventTransportMode(opts.redisUrl);
  let bus: EventBus;
  let live: LiveChannel;
  let revocations: SessionRevocationFeed;
  switch (mode) {
    case "redis": {
      const url = opts.redisUrl!;
      const redisOpts = { url, keyPrefix: opts.keyPrefix ?? "", log: opts.log };
      bus = new RedisStreamBus(redisOpts);
      live = new RedisLiveChannel(redisOpts);
      revocations = new RedisRevocationFeed(redisOpts);
      break;
    }
    case "ipc":
      bus = new IpcBus({ log: opts.log });
      live = new IpcLiveChannel({ log: opts.log });
      revocations = new IpcRevocationFeed({ log: opts.log });
      break;
    case "memory":
      bus = new InProcessBus({ log: opts.log });
      live = new InProcessLiveChannel({ log: opts.log });
      revocations = new InProcessRevocationFeed();
      break;
  }
  return {
    mode,
    bus,
    live,
    revocations,
    async close() {
      // Close subscriptions (which ack what they hold) before the live side goes away.
      await bus.close();
      await live.close();
      await revocations.close();
    },
  };
}
