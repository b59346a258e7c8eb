import { randomUUID } from "node:crypto";
import { canonicalJson, chainHash, genesisHash, requestHash, validateCommand, type ChainedRow, type LedgerCommand } from "../src/ledger/rules.ts";

const player = "6f1c2a52-3b8e-4c1e-9a53-0d3c1c8f2b10";
const stake = (overrides: Partial<LedgerCommand> = {}): LedgerCommand => ({
  type: "STAKE",
  playerId: player,
  currency: "GBP",
  amount: 100n,
  idempotencyKey: "hub88:tx-1",
  counterRef: "hub88",
  ...overrides,
});

describe("command validation", () => {
  it("given a well-formed stake, when validated, then it is kept with defaults filled in", () => {
    expect(validateCommand(stake())).toEqual({ ...stake(), refKey: null, reference: {} });
  });

  it.each<[string, Partial<LedgerCommand>, string]>([
    ["a negative stake", { amount: -1n }, "amount"],
    ["a zero deposit", { type: "DEPOSIT", amount: 0n }, "amount"],
    ["a rollback carrying an amount", { type: "ROLLBACK", amount: 5n, refKey: "k" }, "amount"],
    ["a zero adjustment", { type: "MANUAL_ADJUSTMENT", amount: 0n }, "amount"],
    ["an amount beyond 64 bits", { amount: 2n ** 63n }, "amount"],
    ["an unsupported currency", { currency: "XXX" }, "currency"],
    ["a lower-case currency", { currency: "gbp" }, "currency"],
    ["a malformed key", { idempotencyKey: "has space" }, "idempotencyKey"],
    ["a key that is too long", { idempotencyKey: "k".repeat(201) }, "idempotencyKey"],
    ["a player id that is no UUID", { playerId: "42" }, "playerId"],
    ["a stake referring to another transaction", { refKey: "other" }, "refKey"],
    ["a rollback without its stake", { type: "ROLLBACK", amount: 0n }, "refKey"],
    ["a commit without its reservation", { type: "WITHDRAWAL_COMMIT" }, "refKey"],
    ["a stake without its provider", { counterRef: "" }, "counterRef"],
    ["a provider with odd characters", { counterRef: "a b" }, "counterRef"],
  ])("given %s, when validated, then BAD_USER_INPUT names the field", (_name, overrides, field) => {
    let error: unknown;
    try {
      validateCommand(stake(overrides));
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ extensions: { code: "BAD_USER_INPUT", field } });
  });

  it("given zero stakes and wins (free rounds, a lost round's closing win), when validated, then they are accepted", () => {
    expect(validateCommand(stake({ amount: 0n })).amount).toBe(0n);
    expect(validateCommand(stake({ type: "WIN", amount: 0n, refKey: "hub88:tx-1", idempotencyKey: "hub88:tx-2" })).amount).toBe(0n);
  });
});

describe("idempotency fingerprints", () => {
  it("are independent of key order in references and distinguish every input", () => {
    const a = validateCommand(stake({ reference: { round: "r1", game: "g1" } }));
    const b = validateCommand(stake({ reference: { game: "g1", round: "r1" } }));
    expect(requestHash(a)).toBe(requestHash(b));
    for (const change of [{ amount: 101n }, { currency: "EUR" }, { counterRef: "other" }, { reference: { round: "r2" } }, { type: "WIN" as const }]) {
      expect(requestHash(validateCommand(stake(change)))).not.toBe(requestHash(a));
    }
    expect(canonicalJson({ z: [1n, { b: 2, a: undefined }], a: null })).toBe('{"a":null,"z":["1",{"b":2}]}');
  });
});

describe("the hash chain", () => {
  const row = (overrides: Partial<ChainedRow> = {}): ChainedRow => ({
    id: randomUUID(),
    type: "STAKE",
    playerId: player,
    idempotencyKey: "k1",
    currency: "GBP",
    amount: -100n,
    balanceAfter: 400n,
    bonusAmount: 0n,
    bonusBalanceAfter: 0n,
    reservedAmount: 0n,
    reservedBalanceAfter: 0n,
    walletVersion: 1n,
    refKey: null,
    reversesKey: null,
    settlesKey: null,
    referenceText: '{"round": "r1"}',
    postings: [
      { accountId: "a1", amount: -100n },
      { accountId: "house", amount: 100n },
    ],
    ...overrides,
  });

  it("given a transaction, when any field or posting changes, then its hash changes", () => {
    const original = row();
    const hash = chainHash(genesisHash(player), original);
    expect(chainHash(genesisHash(player), original)).toBe(hash);
    const edits: Array<Partial<ChainedRow>> = [
      { amount: -101n },
      { balanceAfter: 401n },
      { bonusAmount: -1n },
      { walletVersion: 2n },
      { refKey: "x" },
      { referenceText: '{"round": "r2"}' },
      { postings: [{ accountId: "a1", amount: -100n }, { accountId: "other-house", amount: 100n }] },
    ];
    for (const edit of edits) expect(chainHash(genesisHash(player), { ...original, ...edit })).not.toBe(hash);
  });

  it("given two wallets, then their chains start from different genesis hashes", () => {
    expect(genesisHash(player)).not.toBe(genesisHash(randomUUID()));
  });
});
