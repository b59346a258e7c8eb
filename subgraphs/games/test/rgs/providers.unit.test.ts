import { createLogger } from "@casino/kernel/logger";
import { z } from "zod";
import type { AnyRgsAdapter } from "../../src/rgs/adapter.ts";
import { RgsProviders } from "../../src/rgs/providers.ts";
import type { RgsStore } from "../../src/rgs/store.ts";

/** A store whose provider() answers after the test lets it, counting the calls. */
function slowStore() {
  const calls: string[] = [];
  const waiting: Array<{ resolve: (row: unknown) => void; reject: (err: Error) => void }> = [];
  const store = {
    provider(code: string) {
      calls.push(code);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
  } as unknown as RgsStore;
  const row = { id: "p1", code: "studio", protocol: "fake", enabled: true, rgsEnabled: true, credentials: { secret: "s" }, allowedCurrencies: ["GBP"], allowedGameCodes: [] };
  return { store, calls, answerAll: () => waiting.splice(0).forEach((w) => w.resolve(row)), failAll: () => waiting.splice(0).forEach((w) => w.reject(new Error("db down"))) };
}

const adapter = { protocol: "fake", credentialsSchema: () => z.object({ secret: z.string() }) } as unknown as AnyRgsAdapter;
const log = createLogger("games-test", "silent");
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("RGS provider lookups", () => {
  it("shares one load among the callbacks that arrive while it runs", async () => {
    const s = slowStore();
    const providers = new RgsProviders(s.store, [adapter], {}, log, 5_000);
    const lookups = Array.from({ length: 10 }, () => providers.lookup("studio"));
    await settle();
    expect(s.calls).toEqual(["studio"]);
    s.answerAll();
    const results = await Promise.all(lookups);
    expect(new Set(results).size).toBe(1);
    expect(results[0]?.provider?.code).toBe("studio");
    // Cached now: no further load.
    await providers.lookup("studio");
    expect(s.calls).toHaveLength(1);
  });

  it("loads afresh on every lookup without a cache, and retries after a failed load", async () => {
    const s = slowStore();
    const uncached = new RgsProviders(s.store, [adapter], {}, log, 0);
    const two = [uncached.lookup("studio"), uncached.lookup("studio")];
    await settle();
    expect(s.calls).toHaveLength(2);
    s.answerAll();
    await Promise.all(two);

    const cached = new RgsProviders(s.store, [adapter], {}, log, 5_000);
    const failing = [cached.lookup("studio"), cached.lookup("studio")];
    await settle();
    expect(s.calls).toHaveLength(3);
    s.failAll();
    for (const lookup of failing) await expect(lookup).rejects.toThrow("db down");
    const retried = cached.lookup("studio");
    await settle();
    expect(s.calls).toHaveLength(4);
    s.answerAll();
    expect((await retried)?.provider?.code).toBe("studio");
  });

  it("after forget(), loads afresh and never caches a load that began before it", async () => {
    const s = slowStore();
    const providers = new RgsProviders(s.store, [adapter], {}, log, 5_000);
    const first = providers.lookup("studio");
    await settle();
    s.answerAll();
    await first;
    expect(s.calls).toHaveLength(1);

    // A change commits while a reload is in flight: the reload may have read the old row.
    providers.forget("studio");
    const afterForget = providers.lookup("studio");
    await settle();
    expect(s.calls).toHaveLength(2);
    const inFlight = providers.lookup("studio");
    providers.forget("studio");
    s.answerAll();
    await Promise.all([afterForget, inFlight]);

    await settle();
    const fresh = providers.lookup("studio");
    await settle();
    expect(s.calls).toHaveLength(3);
    s.answerAll();
    expect((await fresh)?.provider?.code).toBe("studio");
    await providers.lookup("studio");
    expect(s.calls).toHaveLength(3);
  });
});
