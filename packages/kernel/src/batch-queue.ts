/**
 * Group commit without timers: items arrive one by one (one request each); at most `maxInFlight`
 * batches run at once, and the items that arrive while they run go together in the next batch. An
 * item that finds a free slot is sent at once, alone, so an idle service answers as fast as without
 * the queue; under load one statement (one commit, one round trip) serves many requests.
 *
 * Items that must not share a batch (two writes to the same key, which the caller wants applied one
 * after the other as separate statements would) say so through `keysOf`: an item with a key already
 * in the batch being formed waits for the next batch, where it comes before the items that arrived
 * after it.
 *
 * `run` answers each item of a batch in order (a value or an error of its own); if it throws, every
 * item of the batch fails with that error.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface BatchQueueOptions<In, Out> {
  /** Batches in flight at once (e.g. database connections the path may hold). */
  maxInFlight: number;
  /** Items per batch at most. */
  maxBatch: number;
  /** Keys of an item: two items sharing a key never go in the same batch. */
  keysOf?: (item: In) => readonly string[];
  /** Runs one batch; answers each item, in the batch's order. */
  run(batch: readonly In[]): Promise<readonly Settled<Out>[]>;
}

interface Pending<In, Out> {
  item: In;
  resolve(value: Out): void;
  reject(err: unknown): void;
}

export class BatchQueue<In, Out> {
  private waiting: Pending<In, Out>[] = [];
  private running = 0;

  constructor(private readonly opts: BatchQueueOptions<In, Out>) {
    if (!Number.isInteger(opts.maxInFlight) || opts.maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, not ${opts.maxInFlight}`);
    if (!Number.isInteger(opts.maxBatch) || opts.maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, not ${opts.maxBatch}`);
  }

  /** Items waiting for a free slot (not counting the batches in flight). */
  get backlog(): number {
    return this.waiting.length;
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.opts.maxInFlight && this.waiting.length > 0) {
      const batch = this.take();
      this.running++;
      void this.send(batch).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  /** The next batch: the oldest items, skipping (not dropping) any whose key the batch already has. */
  private take(): Pending<In, Out>[] {
    const { keysOf, maxBatch } = this.opts;
    if (!keysOf) return this.waiting.splice(0, maxBatch);
    const batch: Pending<In, Out>[] = [];
    const left: Pending<In, Out>[] = [];
    const keys = new Set<string>();
    for (const p of this.waiting) {
      const own = batch.length < maxBatch ? keysOf(p.item) : null;
      if (own === null || own.some((k) => keys.has(k))) {
        left.push(p);
        continue;
      }
      for (const k of own) keys.add(k);
      batch.push(p);
    }
    this.waiting = left;
    return batch;
  }

  private async send(batch: Pending<In, Out>[]): Promise<void> {
    let answers: readonly Settled<Out>[];
    try {
      answers = await this.opts.run(batch.map((p) => p.item));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const a = answers[i];
      if (!a) p.reject(new Error(`the batch answered ${answers.length} of its ${batch.length} items`));
      else if (a.ok) p.resolve(a.value);
      else p.reject(a.error);
    });
  }
}
