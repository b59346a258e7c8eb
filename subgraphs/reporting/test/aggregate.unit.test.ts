import fc from "fast-check";
import {
  NO_SUMS,
  WALLET_TRANSACTION_TYPES,
  addSums,
  grossGamingRevenue,
  registrationDelta,
  sumsOfTransaction,
  transactionDeltas,
  type BalanceChanges,
  type PostedTransaction,
  type Sums,
  type WalletTransactionType,
} from "../src/aggregate.ts";

const PLAYER = "6f1d0c3a-7a38-4c65-9a55-0d6c1f4f2b10";

/** Signed changes of cash, bonus and reserved; a missing change is 0. */
const changes = (cash: bigint, bonus = 0n, reserved = 0n): BalanceChanges => ({
  amountMinor: cash,
  bonusAmountMinor: bonus,
  reservedAmountMinor: reserved,
});
const posted = (type: WalletTransactionType, amountMinor: bigint, occurredAt = "2026-11-24T12:00:00Z", bonus = 0n, reserved = 0n): PostedTransaction => ({
  type,
  playerId: PLAYER,
  currency: "GBP",
  ...changes(amountMinor, bonus, reserved),
  occurredAt: new Date(occurredAt),
});

describe("sumsOfTransaction", () => {
  it.each<[string, WalletTransactionType, BalanceChanges, Partial<Sums>]>([
    ["a cash stake", "STAKE", changes(-250n), { stakesMinor: 250n }],
    ["a stake of 500 funded 300 cash, 200 bonus", "STAKE", changes(-300n, -200n), { stakesMinor: 500n }],
    ["a stake funded by bonus money only", "STAKE", changes(0n, -400n), { stakesMinor: 400n }],
    ["a cash win", "WIN", changes(1_000n), { winsMinor: 1_000n }],
    ["the win of the split stake, 600 cash and 400 bonus", "WIN", changes(600n, 400n), { winsMinor: 1_000n }],
    ["a rollback of a cash stake", "ROLLBACK", changes(250n), { stakesMinor: -250n }],
    ["a rollback of the split stake", "ROLLBACK", changes(300n, 200n), { stakesMinor: -500n }],
    ["a rollback tombstone of a stake not seen yet", "ROLLBACK", changes(0n), {}],
    ["a rollback taking a win back", "ROLLBACK", changes(-600n, -400n), { winsMinor: -1_000n }],
    ["a deposit", "DEPOSIT", changes(5_000n), { depositsMinor: 5_000n }],
    ["a reservation of 800 for a withdrawal", "WITHDRAWAL_RESERVE", changes(-800n, 0n, 800n), {}],
    ["a commit of that reservation paying 750, releasing 50", "WITHDRAWAL_COMMIT", changes(50n, 0n, -800n), { withdrawalsMinor: 750n }],
    ["a commit paying the whole reservation", "WITHDRAWAL_COMMIT", changes(0n, 0n, -2_000n), { withdrawalsMinor: 2_000n }],
    ["a commit paying nothing, releasing it all", "WITHDRAWAL_COMMIT", changes(800n, 0n, -800n), {}],
    ["a commit published before reservations, paying 2,000 from cash", "WITHDRAWAL_COMMIT", changes(-2_000n), { withdrawalsMinor: 2_000n }],
    ["a void of a reservation of 800", "WITHDRAWAL_VOID", changes(800n, 0n, -800n), {}],
    ["a credit by staff", "MANUAL_ADJUSTMENT", changes(1_500n), { manualAdjustmentsMinor: 1_500n }],
    ["a debit by staff", "MANUAL_ADJUSTMENT", changes(-700n), { manualAdjustmentsMinor: -700n }],
    ["a bonus grant", "BONUS_GRANT", changes(0n, 1_000n), {}],
    ["a bonus forfeit", "BONUS_FORFEIT", changes(0n, -1_000n), {}],
  ])("given %s (%s), then it adds exactly its figure", (_what, type, moved, expected) => {
    expect(sumsOfTransaction(type, moved)).toEqual({ ...NO_SUMS, ...expected });
  });

  it("given a type newer than this code, then it is refused rather than counted nowhere", () => {
    expect(() => sumsOfTransaction("JACKPOT" as WalletTransactionType, changes(1n))).toThrow(/unhandled wallet transaction type "JACKPOT"/);
  });
});

describe("a split stake, its win and its rollback", () => {
  it("given a stake of 500 (300 cash, 200 bonus) and its win of 1,000, then GGR is -500 over all money staked", () => {
    // Given
    const stake = sumsOfTransaction("STAKE", changes(-300n, -200n));
    const win = sumsOfTransaction("WIN", changes(600n, 400n));
    // When
    const day = addSums(stake, win);
    // Then
    expect([day.stakesMinor, day.winsMinor, grossGamingRevenue(day)]).toEqual([500n, 1_000n, -500n]);
  });

  it("given a stake of 500 (300 cash, 200 bonus) rolled back, then nothing is staked and GGR is 0", () => {
    const day = addSums(sumsOfTransaction("STAKE", changes(-300n, -200n)), sumsOfTransaction("ROLLBACK", changes(300n, 200n)));
    expect(day).toEqual(NO_SUMS);
  });
});

describe("a withdrawal reserved, then paid in part or voided", () => {
  it("given a reservation of 800 committed paying 750 and releasing 50, then withdrawals are 750", () => {
    // Given
    const reserve = sumsOfTransaction("WITHDRAWAL_RESERVE", changes(-800n, 0n, 800n));
    // When
    const commit = sumsOfTransaction("WITHDRAWAL_COMMIT", changes(50n, 0n, -800n));
    // Then
    expect(addSums(reserve, commit)).toEqual({ ...NO_SUMS, withdrawalsMinor: 750n });
  });

  it("given a reservation of 800 voided, then nothing was withdrawn", () => {
    const reserve = sumsOfTransaction("WITHDRAWAL_RESERVE", changes(-800n, 0n, 800n));
    const voided = sumsOfTransaction("WITHDRAWAL_VOID", changes(800n, 0n, -800n));
    expect(addSums(reserve, voided)).toEqual(NO_SUMS);
  });
});

describe("transactionDeltas", () => {
  it("given any transaction, then it counts once in the day's report and in the player's totals of its currency", () => {
    for (const type of WALLET_TRANSACTION_TYPES) {
      const { daily, player } = transactionDeltas(posted(type, -1n));
      expect([type, daily.transactionCount, daily.registrations, player.transactionCount]).toEqual([type, 1, 0, 1]);
    }
  });

  it("given a stake of 150 cash and 100 bonus, then the daily report and the player's totals both count 250 staked", () => {
    expect(transactionDeltas(posted("STAKE", -150n, "2026-11-24T12:00:00Z", -100n))).toEqual({
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

interface Generated {
  tx: PostedTransaction;
  figures: Partial<Sums>;
}

/**
 * Random wallet transactions shaped as the ledger posts them: a stake spends cash then bonus, a win
 * and a rollback move cash and bonus, a commit releases what it does not pay, grants move bonus only.
 * Each comes with the figures it stands for, known from how it was built, not from its changes.
 */
const transactionArb = fc
  .record({
    type: fc.constantFrom(...WALLET_TRANSACTION_TYPES),
    cash: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    bonus: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    paidShare: fc.bigInt({ min: 0n, max: 100n }),
    negative: fc.boolean(),
    currency: fc.constantFrom("GBP", "EUR"),
    occurredAt: fc.date({ min: new Date("2026-01-01T00:00:00Z"), max: new Date("2026-01-04T00:00:00Z"), noInvalidDate: true }),
  })
  .map(({ type, cash, bonus, paidShare, negative, currency, occurredAt }): Generated => {
    const tx = (moved: BalanceChanges): PostedTransaction => ({ type, playerId: PLAYER, currency, ...moved, occurredAt });
    switch (type) {
      case "STAKE":
        return { tx: tx(changes(-cash, -bonus)), figures: { stakesMinor: cash + bonus } };
      case "WIN":
        return { tx: tx(changes(cash, bonus)), figures: { winsMinor: cash + bonus } };
      case "ROLLBACK":
        return negative
          ? { tx: tx(changes(-cash, -bonus)), figures: { winsMinor: -(cash + bonus) } }
          : { tx: tx(changes(cash, bonus)), figures: { stakesMinor: -(cash + bonus) } };
      case "DEPOSIT":
        return { tx: tx(changes(cash)), figures: { depositsMinor: cash } };
      case "WITHDRAWAL_RESERVE":
        return { tx: tx(changes(-cash, 0n, cash)), figures: {} };
      case "WITHDRAWAL_COMMIT": {
        const paid = (cash * paidShare) / 100n;
        return { tx: tx(changes(cash - paid, 0n, -cash)), figures: { withdrawalsMinor: paid } };
      }
      case "WITHDRAWAL_VOID":
        return { tx: tx(changes(cash, 0n, -cash)), figures: {} };
      case "BONUS_GRANT":
        return { tx: tx(changes(0n, bonus)), figures: {} };
      case "BONUS_FORFEIT":
        return { tx: tx(changes(0n, -bonus)), figures: {} };
      case "MANUAL_ADJUSTMENT":
        return { tx: tx(changes(negative ? -cash : cash)), figures: { manualAdjustmentsMinor: negative ? -cash : cash } };
    }
  });

/** The report computed the long way: add up the figures each transaction was built to stand for. */
const naiveSums = (generated: Generated[]): Sums => generated.reduce<Sums>((sum, g) => addSums(sum, { ...NO_SUMS, ...g.figures }), { ...NO_SUMS });

describe("daily report over a random sequence of transactions", () => {
  it("given any sequence, when folded delta by delta per (date, currency), then each row equals the naive sums", () => {
    fc.assert(
      fc.property(fc.array(transactionArb, { maxLength: 200 }), (generated) => {
        const folded = new Map<string, Sums & { transactionCount: number }>();
        for (const { tx } of generated) {
          const { daily } = transactionDeltas(tx);
          const key = `${daily.date}|${daily.currency}`;
          const row = folded.get(key) ?? { ...NO_SUMS, transactionCount: 0 };
          folded.set(key, { ...addSums(row, daily), transactionCount: row.transactionCount + daily.transactionCount });
        }
        const groups = new Map<string, Generated[]>();
        for (const g of generated) {
          const key = `${g.tx.occurredAt.toISOString().slice(0, 10)}|${g.tx.currency}`;
          groups.set(key, [...(groups.get(key) ?? []), g]);
        }
        expect([...folded.keys()].sort()).toEqual([...groups.keys()].sort());
        for (const [key, group] of groups) {
          expect(folded.get(key)).toEqual({ ...naiveSums(group), transactionCount: group.length });
        }
      }),
    );
  });

  it("given any sequence, then GGR is what players lost on game transactions: minus their net cash and bonus change from them", () => {
    fc.assert(
      fc.property(fc.array(transactionArb, { maxLength: 200 }), (generated) => {
        const txs = generated.map((g) => g.tx);
        const sums = txs.reduce((acc, tx) => addSums(acc, sumsOfTransaction(tx.type, tx)), { ...NO_SUMS });
        const gameMoney = txs
          .filter((tx) => tx.type === "STAKE" || tx.type === "WIN" || tx.type === "ROLLBACK")
          .reduce((sum, tx) => sum + tx.amountMinor + tx.bonusAmountMinor, 0n);
        expect(grossGamingRevenue(sums)).toBe(-gameMoney);
      }),
    );
  });

  it("given any sequence, then the players' holdings (cash, bonus, reserved) changed by deposits - withdrawals - GGR + adjustments + net bonus granted", () => {
    fc.assert(
      fc.property(fc.array(transactionArb, { maxLength: 200 }), (generated) => {
        const txs = generated.map((g) => g.tx);
        const sums = txs.reduce((acc, tx) => addSums(acc, sumsOfTransaction(tx.type, tx)), { ...NO_SUMS });
        const holdings = txs.reduce((sum, tx) => sum + tx.amountMinor + tx.bonusAmountMinor + tx.reservedAmountMinor, 0n);
        const bonusGranted = txs
          .filter((tx) => tx.type === "BONUS_GRANT" || tx.type === "BONUS_FORFEIT")
          .reduce((sum, tx) => sum + tx.bonusAmountMinor, 0n);
        expect(holdings).toBe(sums.depositsMinor - sums.withdrawalsMinor - grossGamingRevenue(sums) + sums.manualAdjustmentsMinor + bonusGranted);
      }),
    );
  });
});
