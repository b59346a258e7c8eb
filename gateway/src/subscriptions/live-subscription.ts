import { GraphQLError, type ExecutionResult } from "graphql";
import type { LiveChannel, LiveMessage } from "@casino/kernel/events/types";
import type { Logger } from "@casino/kernel/logger";
import type { MessageOutcome, SubscriptionMetrics } from "./metrics.ts";

export interface LiveSubscriptionOptions {
  live: LiveChannel;
  /** From the verified token; messages for anyone else are dropped. */
  playerId: string;
  topic: string;
  /** Keep only the newest undelivered message instead of a FIFO. */
  coalesce: boolean;
  /** FIFO bound for non-coalescing topics; overflowing closes the subscription with an error. */
  maxQueued: number;
  /** Turns a message into the result sent to the client. Must not throw for expected failures. */
  render(message: LiveMessage): ExecutionResult | Promise<ExecutionResult>;
  metrics?: SubscriptionMetrics;
  log?: Logger;
  /** Called once when the subscription ends, for whatever reason. */
  onClose?: () => void;
}

type Result = IteratorResult<ExecutionResult, undefined>;
const DONE: Result = Object.freeze({ done: true, value: undefined });
const RECENT_EVENT_IDS = 16;

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === "function";
}

/**
 * One subscriber's stream of live messages, as a hand-written async iterator. An async generator
 * suspended in `await` cannot be ended from outside, so a disconnect would leave its listener on the
 * channel; here `return()` detaches at once, whatever state the iterator is in.
 *
 * Messages wait in a bounded queue and are rendered only when the consumer asks for the next result,
 * so a slow consumer (or a slow refetch) naturally makes coalescing topics skip to the newest state.
 */
export class LiveSubscription implements AsyncIterableIterator<ExecutionResult> {
  private queue: LiveMessage[] = [];
  private waiter: ((result: Result) => void) | undefined;
  private rendering = false;
  /** No more messages are accepted (unsubscribed or overflowed). */
  private sourceClosed = false;
  /** Nothing more is delivered. */
  private finished = false;
  /** A last result (the overflow error) to deliver before finishing. */
  private final: ExecutionResult | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private unsubscribing: Promise<void> | undefined;
  private readonly recentEventIds: string[] = [];
  private pumpScheduled = false;

  private constructor(private readonly opts: LiveSubscriptionOptions) {}

  /** Subscribes to the player's live channel; resolves once messages can arrive. */
  static async open(opts: LiveSubscriptionOptions): Promise<LiveSubscription> {
    const sub = new LiveSubscription(opts);
    opts.metrics?.open.inc({ topic: opts.topic });
    let unsubscribe: () => Promise<void>;
    try {
      unsubscribe = await opts.live.subscribe(opts.playerId, (message) => sub.accept(message));
    } catch (err) {
      sub.finish();
      throw err;
    }
    // It may have overflowed while the channel subscription was being set up.
    if (sub.sourceClosed) await unsubscribe();
    else sub.unsubscribe = unsubscribe;
    return sub;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Messages waiting to be rendered (for tests and diagnostics). */
  get backlog(): number {
    return this.queue.length;
  }

  get closed(): boolean {
    return this.sourceClosed;
  }

  next(): Promise<Result> {
    if (this.finished) return Promise.resolve(DONE);
    if (this.waiter) return Promise.reject(new Error("next() called again before the previous call settled"));
    return new Promise<Result>((resolve) => {
      this.waiter = resolve;
      this.pump();
    });
  }

  async return(): Promise<Result> {
    this.finish();
    await this.unsubscribing;
    return DONE;
  }

  async throw(): Promise<Result> {
    return this.return();
  }

  private count(outcome: MessageOutcome, n = 1): void {
    this.opts.metrics?.messages.inc({ topic: this.opts.topic, outcome }, n);
  }

  private accept(message: LiveMessage): void {
    if (this.sourceClosed) return;
    if (message.topic !== this.opts.topic) return;
    const payloadPlayer = (message.payload as { playerId?: unknown } | null)?.playerId;
    // Channels are per player already; checking again here means a routing bug can never leak data.
    if (message.playerId !== this.opts.playerId || (payloadPlayer !== undefined && payloadPlayer !== this.opts.playerId)) {
      this.count("dropped");
      this.opts.log?.error({ topic: message.topic, eventId: message.eventId }, "live message for another player reached a subscription; dropped");
      return;
    }
    // Delivery upstream is at least once; a replayed event must not show twice.
    if (message.eventId) {
      if (this.recentEventIds.includes(message.eventId)) {
        this.count("dropped");
        return;
      }
      this.recentEventIds.push(message.eventId);
      if (this.recentEventIds.length > RECENT_EVENT_IDS) this.recentEventIds.shift();
    }
    if (this.opts.coalesce) {
      if (this.queue.length > 0) this.count("coalesced", this.queue.length);
      this.queue = [message];
    } else if (this.queue.length >= this.opts.maxQueued) {
      this.count("dropped", this.queue.length + 1);
      this.queue = [];
      this.final = {
        errors: [
          new GraphQLError(`Subscription closed: the client fell more than ${this.opts.maxQueued} messages behind`, {
            extensions: { code: "SUBSCRIPTION_OVERFLOW" },
          }),
        ],
      };
      this.closeSource();
    } else {
      this.queue.push(message);
    }
    this.schedulePump();
  }

  /** Rendering never runs on the publisher's stack (an in-process channel emits synchronously). */
  private schedulePump(): void {
    if (this.pumpScheduled || !this.waiter) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.waiter || this.rendering || this.finished) return;
    const message = this.queue.shift();
    if (message) {
      this.rendering = true;
      let out: ExecutionResult | Promise<ExecutionResult>;
      try {
        out = this.opts.render(message);
      } catch (err) {
        out = this.renderFailed(err);
      }
      if (isPromiseLike(out)) out.then((r) => this.deliver(r), (err: unknown) => this.deliver(this.renderFailed(err)));
      else this.deliver(out);
      return;
    }
    if (this.final) {
      const result = this.final;
      this.final = undefined;
      this.resolveWaiter({ done: false, value: result });
      this.finish();
      return;
    }
    if (this.sourceClosed) this.finish();
  }

  private renderFailed(err: unknown): ExecutionResult {
    this.opts.log?.error({ err, topic: this.opts.topic }, "rendering a subscription event failed");
    return { errors: [new GraphQLError("Could not produce the subscription event", { extensions: { code: "INTERNAL_SERVER_ERROR" } })] };
  }

  private deliver(result: ExecutionResult): void {
    this.rendering = false;
    if (this.finished) {
      this.count("dropped");
      return;
    }
    this.count("delivered");
    this.resolveWaiter({ done: false, value: result });
    // Messages that arrived while rendering wait for the consumer's next call.
  }

  private resolveWaiter(result: Result): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(result);
  }

  private closeSource(): void {
    if (this.sourceClosed) return;
    this.sourceClosed = true;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    this.opts.metrics?.open.dec({ topic: this.opts.topic });
    this.unsubscribing = unsubscribe?.().catch((err: unknown) => {
      this.opts.log?.warn({ err, topic: this.opts.topic }, "leaving the live channel failed");
    });
    this.opts.onClose?.();
  }

  private finish(): void {
    this.closeSource();
    if (this.finished) return;
    this.finished = true;
    this.queue = [];
    this.final = undefined;
    this.resolveWaiter(DONE);
  }
}
