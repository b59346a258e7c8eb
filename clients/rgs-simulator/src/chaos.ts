import { setTimeout as sleep } from "node:timers/promises";
import type { Delivery } from "./transport.ts";

/** How unreliable the simulated provider is. */
export interface ChaosOptions {
  /** Probability that a callback is also sent a second time at once (a duplicate racing the first). */
  duplicateRate: number;
  /** Probability that the answer to a callback is lost (sent, processed, answer never read): it is retried. */
  dropRate: number;
  /** Attempts before giving up on a callback that gets no final answer. */
  maxAttempts: number;
  retryDelayMs: number;
  /** Random source (seeded in tests for reproducible runs). */
  random: () => number;
}

export const NO_CHAOS: ChaosOptions = { duplicateRate: 0, dropRate: 0, maxAttempts: 1, retryDelayMs: 0, random: Math.random };

export interface TrafficStats {
  /** Every HTTP callback sent: first tries, duplicates and retries. */
  sent: number;
  duplicates: number;
  dropped: number;
  retries: number;
  /** Answers that said "try again" (the operator was busy with the same id, or a dependency was down). */
  transient: number;
}

export const newStats = (): TrafficStats => ({ sent: 0, duplicates: 0, dropped: 0, retries: 0, transient: 0 });

/** A seeded PRNG (mulberry32), so that a failing chaos run can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Sends one callback until it gets a final answer, as a provider does: answers lost on the way are
 * retried with the very same body, some callbacks are duplicated while the first is in flight.
 * Returns every final answer received (duplicates included), or throws when none came.
 */
export async function deliverReliably(
  send: (opts: { drop: boolean }) => Promise<Delivery>,
  isTransient: (d: Delivery) => boolean,
  chaos: ChaosOptions,
  stats: TrafficStats,
): Promise<Delivery[]> {
  const finals: Delivery[] = [];
  const one = async (drop: boolean) => {
    stats.sent++;
    const d = await send({ drop });
    if (!d.answered) {
      stats.dropped++;
      return;
    }
    if (isTransient(d)) {
      stats.transient++;
      return;
    }
    finals.push(d);
  };
  for (let attempt = 1; attempt <= chaos.maxAttempts; attempt++) {
    if (attempt > 1) {
      stats.retries++;
      await sleep(chaos.retryDelayMs);
    }
    const duplicate = chaos.random() < chaos.duplicateRate;
    const drop = chaos.random() < chaos.dropRate;
    if (duplicate) stats.duplicates++;
    await Promise.all([one(drop), ...(duplicate ? [one(chaos.random() < chaos.dropRate)] : [])]);
    if (finals.length > 0) return finals;
  }
  throw new Error(`no final answer after ${chaos.maxAttempts} attempts`);
}
