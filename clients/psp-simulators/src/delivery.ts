import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express, type NextFunction, type Request, type Response } from "express";

/** How the PSP's API behaves right now; tests switch it between requests. */
export type ApiMode =
  /** Answers normally. */
  | "normal"
  /** Every API request gets 503 (the PSP is down). */
  | "outage"
  /** Every API request is held until `hangMs` has passed, then answered 504 (the caller times out first). */
  | "timeout";

/** What happens to a payment: decided from its amount, so that tests and demos choose by amount. */
export type Outcome = "succeed" | "decline" | "decline-at-once";

/**
 * The default rules, like a PSP's test cards: an amount whose minor units end in 13 is declined
 * later (by notification), one ending in 14 is declined at once (in the API answer), anything else
 * succeeds.
 */
export function outcomeByAmount(amountMinor: bigint): Outcome {
  const lastTwo = amountMinor % 100n;
  if (lastTwo === 13n) return "decline";
  if (lastTwo === 14n) return "decline-at-once";
  return "succeed";
}

export interface SimulatorOptions {
  /** From accepting a payment to its first notification. Default 200 ms. */
  notificationDelayMs?: number;
  /** First retry of an unacknowledged notification, doubled per attempt up to maxRetryDelayMs. Defaults 250 ms and 30 s. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Attempts per notification; 0 (default) resends until acknowledged or close(). */
  maxAttempts?: number;
  /** How long a request is held in "timeout" mode. Default 10 s. */
  hangMs?: number;
  decide?: (amountMinor: bigint) => Outcome;
  now?: () => Date;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

/** One notification as last sent, exactly: tests replay it to prove the receiver is idempotent. */
export interface SentNotification {
  id: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  attempts: number;
  /** Status of the last answer; undefined while no answer came. */
  status: number | undefined;
  acknowledged: boolean;
}

export interface PreparedNotification {
  id: string;
  url: string;
  /** Built at each attempt: some PSPs sign with the time of sending. */
  build(): { body: string; headers: Record<string, string> };
}

/**
 * What every simulated PSP shares: an express app for its API, a switch for outages and timeouts,
 * and the delivery of notifications, which are resent with backoff until the merchant answers the
 * way that PSP requires (`acknowledged`).
 */
export abstract class PspSimulatorBase {
  readonly app: Express;
  mode: ApiMode = "normal";
  /** Deliver every notification twice (a PSP may). */
  duplicateNotifications = false;
  /** Send a payment's final notification before its pending one. */
  reverseOrder = false;
  notificationDelayMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly sentById = new Map<string, SentNotification>();
  private server: http.Server | undefined;
  private closed = false;

  protected constructor(
    protected readonly name: string,
    protected readonly opts: SimulatorOptions,
  ) {
    this.notificationDelayMs = opts.notificationDelayMs ?? 200;
    this.app = express();
    this.app.disable("x-powered-by");
    this.app.get("/healthz", (_req, res) => {
      res.json({ status: "ok", service: `${name}-simulator` });
    });
    this.app.use(this.faults);
  }

  /** Every notification sent so far, as last sent. */
  get sent(): SentNotification[] {
    return [...this.sentById.values()];
  }

  sentNotification(id: string): SentNotification | undefined {
    return this.sentById.get(id);
  }

  /** Resolves when no notification is scheduled or being sent. */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.inFlight.size > 0) {
      await Promise.all([...this.inFlight]);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    const server = http.createServer(this.app);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops sending; notifications not yet acknowledged are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.inFlight]);
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  /** Whether the merchant's answer is the acknowledgement this PSP requires. */
  protected abstract acknowledged(notification: PreparedNotification, status: number, body: string): boolean;

  protected decide(amountMinor: bigint): Outcome {
    return (this.opts.decide ?? outcomeByAmount)(amountMinor);
  }

  protected now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  protected log(message: string, fields: Record<string, unknown>): void {
    this.opts.log?.(message, { psp: this.name, ...fields });
  }

  /** Schedules a payment's notifications, in order (or reversed), each delivered until acknowledged. */
  protected notify(notifications: PreparedNotification[]): void {
    const ordered = this.reverseOrder ? [...notifications].reverse() : notifications;
    ordered.forEach((n, i) => {
      const delay = this.notificationDelayMs + i * 20;
      this.schedule(() => this.deliver(n, 1), delay);
      if (this.duplicateNotifications) this.schedule(() => this.deliver(n, 1), delay + 5);
    });
  }

  private async deliver(notification: PreparedNotification, attempt: number): Promise<void> {
    const { body, headers } = notification.build();
    const record: SentNotification = { id: notification.id, url: notification.url, body, headers, attempts: attempt, status: undefined, acknowledged: false };
    this.sentById.set(notification.id, record);
    try {
      const res = await fetch(notification.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      record.status = res.status;
      record.acknowledged = this.acknowledged(notification, res.status, text);
    } catch (err) {
      this.log("notification not answered", { id: notification.id, attempt, error: (err as Error).message });
    }
    if (record.acknowledged) return;
    const maxAttempts = this.opts.maxAttempts ?? 0;
    if (maxAttempts > 0 && attempt >= maxAttempts) {
      this.log("notification abandoned", { id: notification.id, attempts: attempt, status: record.status });
      return;
    }
    const delay = Math.min(this.opts.maxRetryDelayMs ?? 30_000, (this.opts.retryDelayMs ?? 250) * 2 ** (attempt - 1));
    this.schedule(() => this.deliver(notification, attempt + 1), delay);
  }

  private schedule(task: () => Promise<void>, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const running = task().finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }, delayMs);
    this.timers.add(timer);
  }

  private readonly faults = (_req: Request, res: Response, next: NextFunction) => {
    if (this.mode === "outage") {
      res.status(503).json({ error: { message: `${this.name} is unavailable` } });
      return;
    }
    if (this.mode === "timeout") {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!res.headersSent) res.status(504).json({ error: { message: "gateway timeout" } });
      }, this.opts.hangMs ?? 10_000);
      this.timers.add(timer);
      return;
    }
    next();
  };
}
