import { decodeCacheValue, encodeCacheValue } from "../../src/catalogue/cache-codec.ts";

describe("the lobby cache's JSON", () => {
  it("gives back bigints and dates as they were, at any depth", () => {
    const value = {
      connection: {
        edges: [{ cursor: "abc", node: { minStakeMinor: 10n, maxStakeMinor: 9_007_199_254_740_993n, createdAt: new Date("2026-11-29T10:11:12.345Z") } }],
        pageInfo: { hasNextPage: false, endCursor: null },
      },
      providers: [{ id: "p", enabled: true, jurisdictions: ["GB", "MT"], protocol: null }],
    };
    const decoded = decodeCacheValue<typeof value>(encodeCacheValue(value));
    expect(decoded).toEqual(value);
    const node = decoded.connection.edges[0]!.node;
    expect(node.maxStakeMinor).toBe(9_007_199_254_740_993n);
    expect(node.createdAt).toBeInstanceOf(Date);
    expect(node.createdAt.getTime()).toBe(Date.parse("2026-11-29T10:11:12.345Z"));
  });

  it("leaves strings that look like numbers or dates alone, and negative and zero bigints exact", () => {
    const value = { amount: "12.50", iso: "2026-11-29T10:11:12.345Z", zero: 0n, negative: -5n, list: [1n, "2"] };
    expect(decodeCacheValue(encodeCacheValue(value))).toEqual(value);
  });
});
