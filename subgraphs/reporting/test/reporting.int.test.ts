import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import fc from "fast-check";
import { WALLET_TRANSACTION_TYPES, type WalletTransactionType } from "../src/aggregate.ts";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { reportingService } from "../src/service.ts";
import { playerRegisteredEvent, transactionPostedEvent, type PostedTransactionInput } from "./support/domain-events.ts";
import { publishAndWait } from "./support/publish-and-wait.ts";

let svc: TestService<PrismaClient>;
let finance: string;
let support: string;

beforeAll(async () => {
  svc = await startTestService(reportingService);
  finance = await svc.tokens.staff(["finance"]);
  support = await svc.tokens.staff(["support"]);
});
afterAll(async () => {
  await svc.stop();
});

const DAILY_REPORTS = `query($from: String!, $to: String!, $currency: String) {
  dailyReports(from: $from, to: $to, currency: $currency) {
    date currency
    deposits { amount currency } withdrawals { amount } stakes { amount } wins { amount } ggr { amount }
    manualAdjustments { amount } transactionCount registrations
  }
}`;
const PLAYER_ACTIVITY = `query($playerId: ID!) {
  playerActivity(playerId: $playerId) {
    playerId registeredAt currency transactionCount lastActivityAt
    totals { currency deposits { amount } withdrawals { amount } stakes { amount } wins { amount } manualAdjustments { amount } }
  }
}`;

interface DailyReportResult {
  date: string;
  currency: string;
  deposits: { amount: string; currency: string };
  withdrawals: { amount: string };
  stakes: { amount: string };
  wins: { amount: string };
  ggr: { amount: string };
  manualAdjustments: { amount: string };
  transactionCount: number;
  registrations: number;
}

const dailyReports = (from: string, to: string, currency?: string, token = finance) =>
  svc.graphql<{ dailyReports: DailyReportResult[] }>(DAILY_REPORTS, { from, to, currency }, token);

/** A player's transactions of one session: tests use a day of their own so their rows stay apart. */
const day = (date: string, time = "12:00:00.000") => `${date}T${time}Z`;
const tx = (playerId: string, type: WalletTransactionType, amountMinor: bigint, occurredAt: string, currency = "GBP") =>
  transactionPostedEvent({ playerId, type, amountMinor, bonusAmountMinor: 0n, reservedAmountMinor: 0n, occurredAt, currency });
/** A transaction moving the player's bonus or reserved funds as well as cash. */
const moved = (playerId: string, type: WalletTransactionType, occurredAt: string, cash: bigint, bonus: bigint, reserved: bigint) =>
  transactionPostedEvent({ playerId, type, amountMinor: cash, bonusAmountMinor: bonus, reservedAmountMinor: reserved, occurredAt });

describe("projection of player.registered and wallet.transaction_posted", () => {
  it("sums a day's transactions per currency, counts registrations in the player's currency, and derives GGR", async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    await publishAndWait(svc, [
      playerRegisteredEvent(alice, day("2026-01-05", "08:00:00.000")),
      playerRegisteredEvent(bob, day("2026-01-05", "09:00:00.000"), "EUR"),
      tx(alice, "DEPOSIT", 10_000n, day("2026-01-05")),
      tx(alice, "STAKE", -500n, day("2026-01-05")),
      tx(alice, "WIN", 1_200n, day("2026-01-05")),
      tx(alice, "STAKE", -300n, day("2026-01-05")),
      tx(alice, "ROLLBACK", 300n, day("2026-01-05")),
      moved(alice, "WITHDRAWAL_RESERVE", day("2026-01-05"), -2_000n, 0n, 2_000n),
      moved(alice, "WITHDRAWAL_COMMIT", day("2026-01-05"), 0n, 0n, -2_000n),
      tx(alice, "MANUAL_ADJUSTMENT", -150n, day("2026-01-05")),
      moved(alice, "BONUS_GRANT", day("2026-01-05"), 0n, 1_000n, 0n),
      tx(bob, "DEPOSIT", 2_500n, day("2026-01-05"), "EUR"),
      tx(alice, "STAKE", -100n, day("2026-01-05", "23:59:59.999")),
      tx(alice, "STAKE", -700n, day("2026-01-06", "00:00:00.000")),
    ]);

    const res = await dailyReports("2026-01-05", "2026-01-06");
    expect(res.errors).toBeUndefined();
    expect(res.data?.dailyReports).toEqual([
      {
        date: "2026-01-05",
        currency: "EUR",
        deposits: { amount: "25.00", currency: "EUR" },
        withdrawals: { amount: "0.00" },
        stakes: { amount: "0.00" },
        wins: { amount: "0.00" },
        ggr: { amount: "0.00" },
        manualAdjustments: { amount: "0.00" },
        transactionCount: 1,
        registrations: 1,
      },
      {
        date: "2026-01-05",
        currency: "GBP",
        deposits: { amount: "100.00", currency: "GBP" },
        withdrawals: { amount: "20.00" },
        stakes: { amount: "6.00" },
        wins: { amount: "12.00" },
        ggr: { amount: "-6.00" },
        manualAdjustments: { amount: "-1.50" },
        transactionCount: 10,
        registrations: 1,
      },
      {
        date: "2026-01-06",
        currency: "GBP",
        deposits: { amount: "0.00", currency: "GBP" },
        withdrawals: { amount: "0.00" },
        stakes: { amount: "7.00" },
        wins: { amount: "0.00" },
        ggr: { amount: "7.00" },
        manualAdjustments: { amount: "0.00" },
        transactionCount: 1,
        registrations: 0,
      },
    ]);
    const gbpOnly = await dailyReports("2026-01-05", "2026-01-06", "GBP");
    expect(gbpOnly.data?.dailyReports.map((r) => [r.date, r.currency])).toEqual([
      ["2026-01-05", "GBP"],
      ["2026-01-06", "GBP"],
    ]);

    const activity = await svc.graphql(PLAYER_ACTIVITY, { playerId: alice }, support);
    expect(activity.errors).toBeUndefined();
    expect(activity.data).toEqual({
      playerActivity: {
        playerId: alice,
        registeredAt: "2026-01-05T08:00:00.000Z",
        currency: "GBP",
        transactionCount: 11,
        lastActivityAt: "2026-01-06T00:00:00.000Z",
        totals: [
          {
            currency: "GBP",
            deposits: { amount: "100.00" },
            withdrawals: { amount: "20.00" },
            stakes: { amount: "13.00" },
            wins: { amount: "12.00" },
            manualAdjustments: { amount: "-1.50" },
          },
        ],
      },
    });
  });

  it("counts bonus-funded play in stakes and wins, and withdrawals as what was paid out", async () => {
    // Given a stake of 5.00 funded 3.00 cash and 2.00 bonus, its win of 10.00 split alike, another
    // split stake of 5.00 rolled back, a reservation of 8.00 committed paying 7.50 (0.50 released),
    // a reservation of 3.00 voided, and a commit published before reservations (cash only) of 1.00
    const playerId = randomUUID();
    const at = day("2026-01-07");
    await publishAndWait(svc, [
      tx(playerId, "DEPOSIT", 10_000n, at),
      moved(playerId, "BONUS_GRANT", at, 0n, 1_000n, 0n),
      moved(playerId, "STAKE", at, -300n, -200n, 0n),
      moved(playerId, "WIN", at, 600n, 400n, 0n),
      moved(playerId, "STAKE", at, -300n, -200n, 0n),
      moved(playerId, "ROLLBACK", at, 300n, 200n, 0n),
      moved(playerId, "WITHDRAWAL_RESERVE", at, -800n, 0n, 800n),
      moved(playerId, "WITHDRAWAL_COMMIT", at, 50n, 0n, -800n),
      moved(playerId, "WITHDRAWAL_RESERVE", at, -300n, 0n, 300n),
      moved(playerId, "WITHDRAWAL_VOID", at, 300n, 0n, -300n),
      transactionPostedEvent({ playerId, type: "WITHDRAWAL_COMMIT", amountMinor: -100n, occurredAt: at }),
    ]);

    // When
    const res = await dailyReports("2026-01-07", "2026-01-07");
    const activity = await svc.graphql(PLAYER_ACTIVITY, { playerId }, support);

    // Then
    expect(res.errors).toBeUndefined();
    expect(res.data?.dailyReports).toEqual([
      {
        date: "2026-01-07",
        currency: "GBP",
        deposits: { amount: "100.00", currency: "GBP" },
        withdrawals: { amount: "8.50" },
        stakes: { amount: "5.00" },
        wins: { amount: "10.00" },
        ggr: { amount: "-5.00" },
        manualAdjustments: { amount: "0.00" },
        transactionCount: 11,
        registrations: 0,
      },
    ]);
    expect(activity.data).toMatchObject({
      playerActivity: {
        transactionCount: 11,
        totals: [
          {
            currency: "GBP",
            deposits: { amount: "100.00" },
            withdrawals: { amount: "8.50" },
            stakes: { amount: "5.00" },
            wins: { amount: "10.00" },
            manualAdjustments: { amount: "0.00" },
          },
        ],
      },
    });
  });

  it("changes nothing when the same events are delivered again", async () => {
    const playerId = randomUUID();
    const events = [
      playerRegisteredEvent(playerId, day("2026-02-10", "08:00:00.000")),
      tx(playerId, "DEPOSIT", 5_000n, day("2026-02-10")),
      tx(playerId, "STAKE", -1_000n, day("2026-02-10")),
    ];
    await publishAndWait(svc, events);
    const reportBefore = await dailyReports("2026-02-10", "2026-02-10");
    const activityBefore = await svc.graphql(PLAYER_ACTIVITY, { playerId }, support);
    expect(reportBefore.data?.dailyReports).toHaveLength(1);

    await svc.runtime.bus.publish(events);
    // The consumer takes events one at a time in publish order: once this later one is processed,
    // the redelivered ones have been handled.
    await publishAndWait(svc, [tx(randomUUID(), "WIN", 1n, day("2026-02-11"))]);

    expect(await dailyReports("2026-02-10", "2026-02-10")).toEqual(reportBefore);
    expect(await svc.graphql(PLAYER_ACTIVITY, { playerId }, support)).toEqual(activityBefore);
    expect(await svc.runtime.prisma.processedEvent.count({ where: { consumer: "reporting", eventId: { in: events.map((e) => e.id) } } })).toBe(3);
  });

  it("accepts a transaction before the registration and counts a player's registration once", async () => {
    const playerId = randomUUID();
    await publishAndWait(svc, [tx(playerId, "DEPOSIT", 1_000n, day("2026-03-03"))]);
    const early = await svc.graphql(PLAYER_ACTIVITY, { playerId }, support);
    expect(early.data).toMatchObject({ playerActivity: { registeredAt: null, currency: null, transactionCount: 1 } });

    await publishAndWait(svc, [
      playerRegisteredEvent(playerId, day("2026-03-02", "22:00:00.000")),
      // The same player registered again under another event id: not a second registration.
      playerRegisteredEvent(playerId, day("2026-03-03", "07:00:00.000")),
    ]);
    const late = await svc.graphql(PLAYER_ACTIVITY, { playerId }, support);
    expect(late.data).toMatchObject({
      playerActivity: { registeredAt: "2026-03-02T22:00:00.000Z", currency: "GBP", transactionCount: 1, lastActivityAt: "2026-03-03T12:00:00.000Z" },
    });
    const reports = await dailyReports("2026-03-02", "2026-03-03");
    expect(reports.data?.dailyReports.map((r) => [r.date, r.registrations, r.transactionCount])).toEqual([
      ["2026-03-02", 1, 0],
      ["2026-03-03", 0, 1],
    ]);
  });

  it("leaves a transaction of an unknown type unprocessed, for redelivery, and goes on with the next ones", async () => {
    const playerId = randomUUID();
    const newer = tx(playerId, "WIN", 100n, day("2026-04-04"));
    const unknownType = { ...newer, payload: { ...(newer.payload as object), type: "JACKPOT_WIN" } };
    await svc.runtime.bus.publish([unknownType]);
    await publishAndWait(svc, [tx(playerId, "DEPOSIT", 100n, day("2026-04-04"))]);
    expect(await svc.runtime.prisma.processedEvent.count({ where: { eventId: unknownType.id } })).toBe(0);
    const report = await dailyReports("2026-04-04", "2026-04-04");
    expect(report.data?.dailyReports.map((r) => [r.deposits.amount, r.wins.amount, r.transactionCount])).toEqual([["1.00", "0.00", 1]]);
  });

  it("matches the pure aggregation for a random sequence of transactions", async () => {
    const players = [randomUUID(), randomUUID(), randomUUID()];
    const change = fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n });
    const inputs = fc.sample(
      fc.record(
        {
          playerId: fc.constantFrom(...players),
          type: fc.constantFrom(...WALLET_TRANSACTION_TYPES),
          amountMinor: change,
          // Absent in some events, as in those published before the bonus and reserved accounts.
          bonusAmountMinor: change,
          reservedAmountMinor: change,
          occurredAt: fc
            .date({ min: new Date("2026-05-01T00:00:00Z"), max: new Date("2026-05-03T23:59:59.999Z"), noInvalidDate: true })
            .map((d) => d.toISOString()),
          currency: fc.constantFrom("GBP", "EUR"),
        },
        { requiredKeys: ["playerId", "type", "amountMinor", "occurredAt", "currency"] },
      ),
      { numRuns: 120, seed: 20261124 },
    ) satisfies PostedTransactionInput[];
    await publishAndWait(svc, inputs.map(transactionPostedEvent));

    type Row = { stakes: bigint; wins: bigint; deposits: bigint; withdrawals: bigint; adjustments: bigint; count: number };
    const expected = new Map<string, Row>();
    for (const input of inputs) {
      const key = `${input.occurredAt.slice(0, 10)}|${input.currency}`;
      const row = expected.get(key) ?? { stakes: 0n, wins: 0n, deposits: 0n, withdrawals: 0n, adjustments: 0n, count: 0 };
      const cash = input.amountMinor;
      const played = cash + (input.bonusAmountMinor ?? 0n);
      const paidOut = -(cash + (input.reservedAmountMinor ?? 0n));
      if (input.type === "STAKE" || (input.type === "ROLLBACK" && played >= 0n)) row.stakes -= played;
      if (input.type === "WIN" || (input.type === "ROLLBACK" && played < 0n)) row.wins += played;
      if (input.type === "DEPOSIT") row.deposits += cash;
      if (input.type === "WITHDRAWAL_COMMIT") row.withdrawals += paidOut;
      if (input.type === "MANUAL_ADJUSTMENT") row.adjustments += cash;
      row.count += 1;
      expected.set(key, row);
    }
    const rows = await svc.runtime.prisma.dailyReport.findMany({
      where: { date: { gte: new Date("2026-05-01T00:00:00Z"), lte: new Date("2026-05-03T00:00:00Z") } },
    });
    const stored = new Map(
      rows.map((r) => [
        `${r.date.toISOString().slice(0, 10)}|${r.currency}`,
        {
          stakes: r.stakesMinor,
          wins: r.winsMinor,
          deposits: r.depositsMinor,
          withdrawals: r.withdrawalsMinor,
          adjustments: r.manualAdjustmentsMinor,
          count: r.transactionCount,
        },
      ]),
    );
    // The sample has events with and without the new fields, so both shapes are checked.
    expect(inputs.some((i) => i.bonusAmountMinor === undefined) && inputs.some((i) => i.reservedAmountMinor !== undefined)).toBe(true);
    expect(stored).toEqual(expected);
  });
});

describe("dailyReports", () => {
  it("is for finance and compliance staff", async () => {
    const compliance = await dailyReports("2026-01-05", "2026-01-05", undefined, await svc.tokens.staff(["compliance"]));
    expect(compliance.errors).toBeUndefined();
    const bySupport = await dailyReports("2026-01-05", "2026-01-05", undefined, support);
    const byPlayer = await dailyReports("2026-01-05", "2026-01-05", undefined, await svc.tokens.player());
    const anonymous = await svc.graphql(DAILY_REPORTS, { from: "2026-01-05", to: "2026-01-05" });
    expect(bySupport.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(byPlayer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it.each([
    ["a date that does not exist", "2026-02-30", "2026-03-01", undefined, "from"],
    ["a range backwards", "2026-03-02", "2026-03-01", undefined, "from"],
    ["a range of 367 days", "2024-01-01", "2025-01-01", undefined, "to"],
    ["an unsupported currency", "2026-01-01", "2026-01-02", "XXX", "currency"],
  ])("refuses %s as bad input", async (_what, from, to, currency, field) => {
    const res = await dailyReports(from, to, currency);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(res.data).toBeNull();
  });

  it("is empty for days without activity", async () => {
    const res = await dailyReports("2019-01-01", "2019-12-31");
    expect(res.data).toEqual({ dailyReports: [] });
  });
});

describe("playerActivity", () => {
  it("is for support, finance and compliance staff, not for players, even about themselves", async () => {
    const playerId = randomUUID();
    await publishAndWait(svc, [playerRegisteredEvent(playerId, day("2026-06-01"))]);
    expect((await svc.graphql(PLAYER_ACTIVITY, { playerId }, finance)).errors).toBeUndefined();
    const own = await svc.graphql(PLAYER_ACTIVITY, { playerId }, await svc.tokens.player(playerId));
    const kyc = await svc.graphql(PLAYER_ACTIVITY, { playerId }, await svc.tokens.staff(["kyc"]));
    expect(own.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(kyc.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("is null for an unknown player and bad input for an id that is not a UUID", async () => {
    expect((await svc.graphql(PLAYER_ACTIVITY, { playerId: randomUUID() }, support)).data).toEqual({ playerActivity: null });
    const bad = await svc.graphql(PLAYER_ACTIVITY, { playerId: "42" }, support);
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("entity references", () => {
  const ENTITIES = `query($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on DailyReport { date currency stakes { amount } ggr { amount } }
      ... on PlayerActivity { playerId transactionCount totals { currency stakes { amount } } }
    }
  }`;

  it("resolves daily reports by (date, currency) and player activity by player, null when unknown", async () => {
    const playerId = randomUUID();
    await publishAndWait(svc, [tx(playerId, "STAKE", -400n, day("2026-07-07")), tx(playerId, "WIN", 100n, day("2026-07-07"))]);
    const reps = [
      { __typename: "DailyReport", date: "2026-07-07", currency: "GBP" },
      { __typename: "DailyReport", date: "2026-07-08", currency: "GBP" },
      { __typename: "DailyReport", date: "not-a-date", currency: "GBP" },
      { __typename: "PlayerActivity", playerId },
    ];
    const res = await svc.graphql<{ _entities: unknown[] }>(ENTITIES, { reps }, finance);
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities).toEqual([
      { date: "2026-07-07", currency: "GBP", stakes: { amount: "4.00" }, ggr: { amount: "3.00" } },
      null,
      null,
      { playerId, transactionCount: 2, totals: [{ currency: "GBP", stakes: { amount: "4.00" } }] },
    ]);
  });

  it("applies the same access rules through references", async () => {
    const reps = [{ __typename: "DailyReport", date: "2026-07-07", currency: "GBP" }];
    const res = await svc.graphql(ENTITIES, { reps }, support);
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
