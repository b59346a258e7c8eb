import type { ServiceName } from "../config.ts";

/** A fact that happened in one service, delivered at least once to every consumer group. */
export interface DomainEvent<P = unknown> {
  /** UUID; consumers deduplicate on it. */
  readonly id: string;
  /** Dotted name, "<service>.<fact>", e.g. "player.registered", "wallet.balance_changed". */
  readonly type: string;
  readonly source: ServiceName;
  /** The entity the fact is about (player id, wallet id, payment id ...). */
  readonly aggregateId: string;
  /** Set when the fact concerns one player; routes live messages. */
  readonly playerId?: string | null;
  /** ISO-8601 timestamp of the commit that produced it. */
  readonly occurredAt: string;
  /** JSON-safe payload: money as strings of minor units, never numbers. */
  readonly payload: P;
}

export type EventHandler = (event: DomainEvent) => Promise<void>;

export interface EventSubscription {
  close(): Promise<void>;
}

/**
 * Service-to-service event bus. Redis Streams with consumer groups in real mode; in-process (or
 * through the supervisor's IPC hub) when embedded. Delivery is at least once: handlers deduplicate.
 */
export interface EventBus {
  publish(events: readonly DomainEvent[]): Promise<void>;
  /**
   * Delivers events of the given types (or every type with "*") to `group`; with several processes
   * in one group, each event reaches one of them. A handler that throws gets the event again later.
   */
  subscribe(group: string, types: readonly string[] | "*", handler: EventHandler): Promise<EventSubscription>;
  close(): Promise<void>;
}

/** A message on a player's live channel, turned into subscription events by the gateway. */
export interface LiveMessage<P = unknown> {
  /** The Subscription field it feeds, e.g. "balanceChanged". */
  readonly topic: string;
  readonly playerId: string;
  /** Id of the event it came from (for tracing and de-duplication). */
  readonly eventId: string;
  readonly payload: P;
}

export type LiveListener = (message: LiveMessage) => void;

/** Per-player fan-out: every gateway instance may subscribe to any player's channel. */
export interface LiveChannel {
  publish(message: LiveMessage): Promise<void>;
  /**
   * The same as `publish` for each message in order, where the transport can do it in one go (Redis:
   * one pipeline). The outbox relay uses it when present.
   */
  publishMany?(messages: readonly LiveMessage[]): Promise<void>;
  subscribe(playerId: string, listener: LiveListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
