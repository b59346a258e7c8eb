import fc from "fast-check";
import {
  NO_SUMS,
  WALLET_TRANSACTION_TYPES,
  addSums,
  grossGamingRevenue,
  registrationDelta,
  sumsOfTransaction,
  transactionDeltas,
  type PostedTransaction,
  type Sums,
  type WalletTransactionType,
} from "../src/aggregate.ts";

const PLAYER = "6f1d0c3a-7a38-4c65-9a55-0d6c1f4f2b10";
const posted = (type: WalletTransactionType, amountMinor: bigint, occurredAt = "2026-11-24T12:00:00Z"): PostedTransaction => ({
  type,
  playerId: PLAYER,
  currency: "GBP",
  amountMinor,
  occurredAt: new Date(occurredAt),
});

describe("sumsOfTransaction", () => {
  it.each<[WalletTransactionType, bigint, Partial<Sums>]>([
    ["STAKE", -250n, { stakesMinor: 250n }],
    ["WIN", 1_000n, { winsMinor: 1_000n }],
    ["ROLLBACK", 250n, { stakesMinor: -250n }],
    ["ROLLBACK", -1_000n, { winsMinor: -1_000n }],
    ["DEPOSIT", 5_000n, { depositsMinor: 5_000n }],
    ["WITHDRAWAL_COMMIT", -2_000n, { withdrawalsMinor: 2_000n }],
    ["MANUAL_ADJUSTMENT", 1_500n, { manualAdjustmentsMinor: 1_500n }],
    ["MANUAL_ADJUSTMENT", -700n, { manualAdjustmentsMinor: -700n }],
    ["WITHDRAWAL_RESERVE", -2_000n, {}],
    ["WITHDRAWAL_VOID", 2_000n, {}],
    ["BONUS_GRANT", 1_000n, {}],
    ["BONUS_FORFEIT", -1_000n, {}],
  ])("given a %s of %p minor units, then it adds %p", (type, amount, expected) => {
    expect(sumsOfTransaction(type, amount)).toEqual({ ...NO_SUMS, ...expected });
  });

  it("given a type newer than this code, then it is refused rather than counted nowhere", () => {
    expect(() => sumsOfTransaction("JACKPOT" as WalletTransactionType, 1n)).toThrow(/unhandled wallet transaction type "JACKPOT"/);
  });
});

describe("transactionDeltas", () => {
  it("given any transaction, then it counts once in the day's report and in the player's totals of its currency", () => {
    for (const type of WALLET_TRANSACTION_TYPES) {
      const { daily, player } = transactionDeltas(posted(type, -1n));
      expect([type, daily.transactionCount, daily.registrations, player.transactionCount]).toEqual([type, 1, 0, 1]);
    }
  });

  it("given a stake, then the daily report and the player's totals get the same sums", () => {
    expect(transactionDeltas(posted("STAKE", -250n))).toEqual({
      daily: { date: "2026-11-24", currency: "GBP", ...NO_SUMS, stakesMinor: 250n, transactionCount: 1, registrations: 0 },
      player: { playerId: PLAYER, currency: "GBP", ...NO_SUMS, stakesMinor: 250n, transactionCount: 1 },
    });
  });

  it("given transactions either side of midnight UTC, then they land on their own UTC dates", () => {
    expect(transactionDeltas(posted("WIN", 1n, "2026-11-24T23:59:59.999Z")).daily.date).toBe("2026-11-24");
    expect(transactionDeltas(posted("WIN", 1n, "2026-11-25T00:00:00.000Z")).daily.date).toBe("2026-11-25");
    // An offset timestamp belongs to the UTC day of the instant, not the local one.
    expect(transactionDeltas(posted("WIN", 1n, "2026-11-25T00:30:00+01:00")).daily.date).toBe("2026-11-24");
  });
});

describe("registrationDelta", () => {
  it("given a registration, then it counts one registration in the player's currency on its UTC date", () => {
    expect(registrationDelta({ playerId: PLAYER, currency: "EUR", occurredAt: new Date("2026-11-24T08:00:00Z") })).toEqual({
      date: "2026-11-24",
      currency: "EUR",
      ...NO_SUMS,
      transactionCount: 0,
      registrations: 1,
    });
  });
});

describe("grossGamingRevenue", () => {
  it("given stakes and wins, then GGR is stakes minus wins, negative when players won more", () => {
    expect(grossGamingRevenue({ stakesMinor: 1_000n, winsMinor: 400n })).toBe(600n);
    expect(grossGamingRevenue({ stakesMinor: 100n, winsMinor: 5_000n })).toBe(-4_900n);
  });
});

/** Random wallet transactions with amounts of the sign each type has for the player. */
const transactionArb = fc
  .record({
    type: fc.constantFrom(...WALLET_TRANSACTION_TYPES),
    magnitude: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    negativeRollback: fc.boolean(),
    negativeAdjustment: fc.boolean(),
    currency: fc.constantFrom("GBP", "EUR"),
    occurredAt: fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2026-01-04T00:00:00Z"), noInvalidDate: true }),
  })
  .map(({ type, magnitude, negativeRollback, negativeAdjustment, currency, occurredAt }): PostedTransaction => {
    const playerPays = ["STAKE", "WITHDRAWAL_RESERVE", "WITHDRAWAL_COMMIT", "BONUS_FORFEIT"].includes(type);
    const negative = playerPays || (type === "ROLLBACK" && negativeRollback) || (type === "MANUAL_ADJUSTMENT" && negativeAdjustment);
    return { type, playerId: PLAYER, currency, amountMinor: negative ? -magnitude : magnitude, occurredAt };
  });

/** The report computed the long way: filter each figure's transactions and add them up. */
function naiveSums(txs: PostedTransaction[]): Sums {
  const total = (pick: (tx: PostedTransaction) => boolean) => txs.filter(pick).reduce((sum, tx) => sum + tx.amountMinor, 0n);
  return {
    depositsMinor: total((tx) => tx.type === "DEPOSIT"),
    withdrawalsMinor: -total((tx) => tx.type === "WITHDRAWAL_COMMIT"),
    stakesMinor: -total((tx) => tx.type === "STAKE" || (tx.type === "ROLLBACK" && tx.amountMinor >= 0n)),
    winsMinor: total((tx) => tx.type === "WIN" || (tx.type === "ROLLBACK" && tx.amountMinor < 0n)),
    manualAdjustmentsMinor: total((tx) => tx.type === "MANUAL_ADJUSTMENT"),
  };
}

describe("daily report over a random sequence of transactions", () => {
  it("given any sequence, when folded delta by delta per (date, currency), then each row equals the naive sums", () => {
    fc.assert(
      fc.property(fc.array(transactionArb, { maxLength: 200 }), (txs) => {
        const folded = new Map<string, Sums & { transactionCount: number }>();
        for (const tx of txs) {
          const { daily } = transactionDeltas(tx);
          const key = `${daily.date}|${daily.currency}`;
          const row = folded.get(key) ?? { ...NO_SUMS, transactionCount: 0 };
          folded.set(key, { ...addSums(row, daily), transactionCount: row.transactionCount + daily.transactionCount });
        }
        const groups = new Map<string, PostedTransaction[]>();
        for (const tx of txs) {
          const key = `${tx.occurredAt.toISOString().slice(0, 10)}|${tx.currency}`;
          groups.set(key, [...(groups.get(key) ?? []), tx]);
        }
        expect([...folded.keys()].sort()).toEqual([...groups.keys()].sort());
        for (const [key, group] of groups) {
          expect(folded.get(key)).toEqual({ ...naiveSums(group), transactionCount: group.length });
        }
      }),
    );
  });

  it("given any sequence, then GGR is what players lost on game transactions: minus their net cash change from them", () => {
    fc.assert(
      fc.property(fc.array(transactionArb, { maxLength: 200 }), (txs) => {
        const sums = txs.reduce((acc, tx) => addSums(acc, sumsOfTransaction(tx.type, tx.amountMinor)), { ...NO_SUMS });
        const gameCash = txs
          .filter((tx) => tx.type === "STAKE" || tx.type === "WIN" || tx.type === "ROLLBACK")
          .reduce((sum, tx) => sum + tx.amountMinor, 0n);
        expect(grossGamingRevenue(sums)).toBe(-gameCash);
      }),
    );
  });
});
