import { assertBalanced, assertIdempotencyKey, canonicalJson, chainHash, genesisHash, requestHash, type Leg } from "../src/ledger/rules.ts";

const cash = (amount: bigint, currency = "GBP"): Leg => ({ account: { type: "PLAYER_CASH", currency, ref: "p1" }, amount });
const house = (amount: bigint, currency = "GBP"): Leg => ({ account: { type: "OPERATOR_MANUAL_ADJUSTMENT", currency, ref: "" }, amount });

describe("double entry", () => {
  it("given legs that cancel per currency, when checked, then it passes", () => {
    expect(() => assertBalanced([cash(500n), house(-500n), cash(-7n, "EUR"), house(7n, "EUR")])).not.toThrow();
  });

  it("given legs that do not cancel in one currency, when checked, then it is refused", () => {
    expect(() => assertBalanced([cash(500n), house(-500n, "EUR")])).toThrow(/Unbalanced/);
  });
});

describe("idempotency fingerprints", () => {
  it("are independent of key order and distinguish every input", () => {
    expect(requestHash({ a: 1n, b: "x" })).toBe(requestHash({ b: "x", a: 1n }));
    expect(requestHash({ a: 1n })).not.toBe(requestHash({ a: 2n }));
    expect(canonicalJson({ z: [1n, { b: 2, a: undefined }], a: null })).toBe('{"a":null,"z":["1",{"b":2}]}');
  });

  it.each(["", " key", "a".repeat(201), "key with space", "ключ"])("refuse the malformed key %p", (key) => {
    expect(() => assertIdempotencyKey(key)).toThrow();
  });

  it("accept ordinary keys", () => {
    expect(assertIdempotencyKey("adj-2026-11-24:0001")).toBe("adj-2026-11-24:0001");
  });
});

describe("hash chain", () => {
  const content = {
    id: "t1",
    type: "MANUAL_ADJUSTMENT",
    playerId: "p1",
    idempotencyKey: "k",
    currency: "GBP",
    amount: 100n,
    balanceAfter: 100n,
    walletVersion: 1n,
    postings: [{ accountId: "a", amount: 100n }, { accountId: "b", amount: -100n }],
    reference: { reason: "goodwill" },
  };

  it("given the same history, when rehashed, then the same tip results", () => {
    const g = genesisHash("p1");
    expect(chainHash(g, content)).toBe(chainHash(g, { ...content }));
  });

  it("given any edited field or predecessor, when rehashed, then the link differs", () => {
    const g = genesisHash("p1");
    const original = chainHash(g, content);
    expect(chainHash(g, { ...content, amount: 101n })).not.toBe(original);
    expect(chainHash(g, { ...content, reference: { reason: "other" } })).not.toBe(original);
    expect(chainHash(genesisHash("p2"), content)).not.toBe(original);
  });
});
