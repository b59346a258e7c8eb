import { BatchQueue, type Settled } from "../src/batch-queue.ts";

/** A queue whose batches are held open until released, recording what each batch held. */
function harness(opts: { maxInFlight: number; maxBatch: number; keysOf?: (item: string) => readonly string[] }) {
  const batches: string[][] = [];
  const open: (() => void)[] = [];
  const queue = new BatchQueue<string, string>({
    ...opts,
    run: (batch) => {
      batches.push([...batch]);
      return new Promise<Settled<string>[]>((resolve) => {
        open.push(() => resolve(batch.map((item) => (item.startsWith("bad") ? { ok: false, error: new Error(item) } : { ok: true, value: item.toUpperCase() }))));
      });
    },
  });
  const releaseAll = async () => {
    while (open.length > 0) {
      open.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { queue, batches, open, releaseAll };
}

describe("BatchQueue", () => {
  it("sends the first item alone and the ones that arrive meanwhile together, each with its own answer", async () => {
    const { queue, batches, releaseAll } = harness({ maxInFlight: 1, maxBatch: 32 });
    const answers = Promise.allSettled(["a", "b", "bad-c", "d"].map((i) => queue.submit(i)));
    expect(batches).toEqual([["a"]]);
    expect(queue.backlog).toBe(3);
    await releaseAll();
    const settled = await answers;
    expect(batches).toEqual([["a"], ["b", "bad-c", "d"]]);
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : `rejected ${(s.reason as Error).message}`))).toEqual(["A", "B", "rejected bad-c", "D"]);
  });

  it("keeps at most maxInFlight batches running and at most maxBatch items in each", async () => {
    const { queue, batches, releaseAll } = harness({ maxInFlight: 2, maxBatch: 2 });
    const all = Promise.all(["a", "b", "c", "d", "e", "f", "g"].map((i) => queue.submit(i)));
    expect(batches).toEqual([["a"], ["b"]]);
    await releaseAll();
    expect(await all).toEqual(["A", "B", "C", "D", "E", "F", "G"]);
    expect(batches).toEqual([["a"], ["b"], ["c", "d"], ["e", "f"], ["g"]]);
  });

  it("never puts two items with a common key in one batch; the later one goes first in the next", async () => {
    const { queue, batches, releaseAll } = harness({ maxInFlight: 1, maxBatch: 32, keysOf: (item) => [item[0]!] });
    const all = Promise.all(["x1", "a1", "b1", "a2", "c1", "a3", "b2"].map((i) => queue.submit(i)));
    await releaseAll();
    await all;
    expect(batches).toEqual([["x1"], ["a1", "b1", "c1"], ["a2", "b2"], ["a3"]]);
  });

  it("fails every item of a batch whose run throws, and goes on with the next", async () => {
    let calls = 0;
    const queue = new BatchQueue<string, string>({
      maxInFlight: 1,
      maxBatch: 8,
      run: async (batch) => {
        calls++;
        if (calls === 2) throw new Error("connection lost");
        return batch.map((value) => ({ ok: true, value }));
      },
    });
    const settled = await Promise.allSettled(["a", "b", "c"].map((i) => queue.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "rejected"]);
    expect(await queue.submit("d")).toBe("d");
  });

  it("fails the items a batch left without an answer", async () => {
    const queue = new BatchQueue<string, string>({ maxInFlight: 1, maxBatch: 8, run: async (batch) => batch.slice(0, 1).map((value) => ({ ok: true, value })) });
    const first = queue.submit("a");
    const settled = await Promise.allSettled([first, queue.submit("b"), queue.submit("c")]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected"]);
  });

  it("refuses limits that are not positive integers", () => {
    const run = async () => [];
    expect(() => new BatchQueue({ maxInFlight: 0, maxBatch: 1, run })).toThrow(RangeError);
    expect(() => new BatchQueue({ maxInFlight: 1, maxBatch: 1.5, run })).toThrow(RangeError);
  });
});
