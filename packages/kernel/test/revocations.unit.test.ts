import { describe, expect, it } from "@jest/globals";
import { InProcessRevocationFeed, RevocationSet, type RevokedSession } from "../src/auth/revocations.ts";

describe("RevocationSet", () => {
  it("holds an entry until its time, then lets it lapse; a later time extends it, an earlier one does not", () => {
    let now = 1_000;
    const set = new RevocationSet(() => now);
    expect(set.add([{ sessionId: "s1", untilMs: 2_000 }])).toEqual([{ sessionId: "s1", untilMs: 2_000 }]);
    expect(set.add([{ sessionId: "s1", untilMs: 1_500 }])).toEqual([]);
    expect(set.add([{ sessionId: "gone", untilMs: 900 }])).toEqual([]);
    expect([set.has("s1"), set.has("gone")]).toEqual([true, false]);

    now = 1_999;
    expect(set.add([{ sessionId: "s1", untilMs: 3_000 }])).toEqual([{ sessionId: "s1", untilMs: 3_000 }]);
    now = 2_500;
    expect(set.has("s1")).toBe(true);
    now = 3_000;
    expect(set.has("s1")).toBe(false);
    expect(set.prune()).toBe(1);
    expect(set.size).toBe(0);
  });
});

describe("InProcessRevocationFeed", () => {
  function follower() {
    const calls: Array<[string, readonly RevokedSession[] | string]> = [];
    return {
      calls,
      snapshot: (e: readonly RevokedSession[]) => void calls.push(["snapshot", e]),
      revoked: (e: readonly RevokedSession[]) => void calls.push(["revoked", e]),
      unavailable: (r: string) => void calls.push(["unavailable", r]),
    };
  }
  const later = () => Date.now() + 60_000;

  it("is unavailable until seeded, then gives followers the snapshot and each revocation before revoke resolves", async () => {
    const feed = new InProcessRevocationFeed();
    const f = follower();
    await feed.follow(f);
    expect(f.calls).toEqual([["unavailable", expect.any(String)]]);
    const before = { sessionId: "before-seed", untilMs: later() };
    await feed.revoke([before]);
    await feed.seed([{ sessionId: "from-db", untilMs: later() }]);
    expect(await feed.isSeeded()).toBe(true);
    expect(f.calls.find(([kind]) => kind === "snapshot")?.[1]).toEqual(expect.arrayContaining([before, expect.objectContaining({ sessionId: "from-db" })]));

    const next = { sessionId: "s2", untilMs: later() };
    await feed.revoke([next]);
    expect(f.calls.at(-1)).toEqual(["revoked", [next]]);

    const late = follower();
    await feed.follow(late);
    expect(late.calls).toEqual([["snapshot", expect.arrayContaining([before, next])]]);
  });

  it("refuses malformed entries", async () => {
    const feed = new InProcessRevocationFeed();
    await expect(feed.revoke([{ sessionId: "", untilMs: later() }])).rejects.toThrow();
    await expect(feed.revoke([{ sessionId: "s", untilMs: 1.5 }])).rejects.toThrow();
  });
});
