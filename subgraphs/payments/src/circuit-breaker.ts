/**
 * A circuit breaker per PSP: after `failureThreshold` consecutive failures (unreachable, timed
 * out, 5xx) the PSP is skipped for `openMs`, so a PSP that is down does not cost every deposit a
 * timeout; then one request is let through (half-open): success closes the circuit, failure opens
 * it again for another `openMs`.
 */
export type CircuitState = "CLOSED" | "OPEN" | "HALF_OPEN";

export interface CircuitBreakerOptions {
  failureThreshold: number;
  openMs: number;
  now?: () => number;
}

interface Circuit {
  failures: number;
  openedAt: number | null;
  trialInFlight: boolean;
}

export class CircuitBreakers<K extends string> {
  private readonly circuits = new Map<K, Circuit>();
  private readonly now: () => number;

  constructor(private readonly opts: CircuitBreakerOptions) {
    this.now = opts.now ?? Date.now;
  }

  state(key: K): CircuitState {
    const c = this.circuits.get(key);
    if (!c || c.openedAt === null) return "CLOSED";
    return this.now() - c.openedAt >= this.opts.openMs ? "HALF_OPEN" : "OPEN";
  }

  /** Whether a request may go to `key` now; in HALF_OPEN only one trial at a time. */
  tryAcquire(key: K): boolean {
    const state = this.state(key);
    if (state === "CLOSED") return true;
    if (state === "OPEN") return false;
    const c = this.circuits.get(key)!;
    if (c.trialInFlight) return false;
    c.trialInFlight = true;
    return true;
  }

  succeeded(key: K): void {
    this.circuits.delete(key);
  }

  failed(key: K): void {
    const c = this.circuits.get(key) ?? { failures: 0, openedAt: null, trialInFlight: false };
    c.failures += 1;
    if (c.trialInFlight || c.failures >= this.opts.failureThreshold) c.openedAt = this.now();
    c.trialInFlight = false;
    this.circuits.set(key, c);
  }
}
