import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { Ledger } from "../src/ledger/ledger.ts";
import { walletService } from "../src/service.ts";
import { countTransactions, createWallet } from "./support/wallets.ts";

let svc: TestService<PrismaClient>;
let ledger: Ledger;
let finance: string;

beforeAll(async () => {
  svc = await startTestService(walletService);
  ledger = new Ledger(svc.runtime.prisma, svc.runtime.db.sql, () => undefined);
  finance = await svc.tokens.staff(["finance"]);
});
afterAll(async () => {
  await svc.stop();
});

const BONUS = (op: "grantBonus" | "forfeitBonus") => `mutation($p: ID!, $a: MoneyInput!, $k: String!) {
  ${op}(playerId: $p, amount: $a, reason: "welcome offer", idempotencyKey: $k) { id type amount { amount } bonusAmount { amount } bonusBalanceAfter { amount currency } idempotencyKey }
}`;
type BonusResult = { grantBonus?: { bonusBalanceAfter: { amount: string }; idempotencyKey: string }; forfeitBonus?: { bonusBalanceAfter: { amount: string } } };

const WALLET = `query($p: ID!, $first: Int, $after: String, $filter: WalletTransactionFilter) {
  walletOfPlayer(playerId: $p) {
    balances { amount currency } bonusBalances { amount currency } reservedBalances { amount currency } version
    transactions(first: $first, after: $after, filter: $filter) {
      edges { cursor node { type amount { amount } bonusAmount { amount } reservedAmount { amount } balanceAfter { amount } refKey } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
type WalletResult = {
  walletOfPlayer: {
    balances: Array<{ amount: string }>;
    bonusBalances: Array<{ amount: string }>;
    reservedBalances: Array<{ amount: string }>;
    version: number;
    transactions: { edges: Array<{ node: { type: string; amount: { amount: string }; bonusAmount: { amount: string }; reservedAmount: { amount: string }; refKey: string | null } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  };
};

describe("bonus money for staff", () => {
  it("grants and forfeits bonus money, idempotently, never touching cash", async () => {
    const playerId = await createWallet(svc);
    const key = randomUUID();
    const granted = await svc.graphql<BonusResult>(BONUS("grantBonus"), { p: playerId, a: { amount: "20.00", currency: "GBP" }, k: key }, finance);
    expect(granted.errors).toBeUndefined();
    expect(granted.data?.grantBonus).toMatchObject({ bonusBalanceAfter: { amount: "20.00" }, idempotencyKey: key });
    const replay = await svc.graphql<BonusResult>(BONUS("grantBonus"), { p: playerId, a: { amount: "20.00", currency: "GBP" }, k: key }, finance);
    expect(replay.data?.grantBonus?.bonusBalanceAfter.amount).toBe("20.00");
    const tooMuch = await svc.graphql(BONUS("forfeitBonus"), { p: playerId, a: { amount: "20.01", currency: "GBP" }, k: randomUUID() }, finance);
    expect(tooMuch.errors?.[0]?.extensions?.code).toBe("INSUFFICIENT_FUNDS");
    const forfeited = await svc.graphql<BonusResult>(BONUS("forfeitBonus"), { p: playerId, a: { amount: "5.00", currency: "GBP" }, k: randomUUID() }, finance);
    expect(forfeited.data?.forfeitBonus?.bonusBalanceAfter.amount).toBe("15.00");
    expect(await countTransactions(svc, playerId)).toBe(2);
  });

  it("refuses zero and negative bonus amounts, and staff without the finance role", async () => {
    const playerId = await createWallet(svc);
    for (const amount of ["0.00", "-1.00"]) {
      const res = await svc.graphql(BONUS("grantBonus"), { p: playerId, a: { amount, currency: "GBP" }, k: randomUUID() }, finance);
      expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const support = await svc.graphql(BONUS("grantBonus"), { p: playerId, a: { amount: "1.00", currency: "GBP" }, k: randomUUID() }, await svc.tokens.staff(["support"]));
    expect(support.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await countTransactions(svc, playerId)).toBe(0);
  });
});

describe("the wallet as players and staff read it", () => {
  it("shows cash, bonus and reserved balances and every transaction's legs, filtered and paged", async () => {
    const playerId = await createWallet(svc);
    const post = (type: "DEPOSIT" | "BONUS_GRANT" | "STAKE" | "WIN" | "WITHDRAWAL_RESERVE", amount: bigint, extra: object = {}) =>
      ledger.post({ type, playerId, currency: "GBP", amount, idempotencyKey: randomUUID(), counterRef: "p1", ...extra });
    await post("DEPOSIT", 1_000n);
    await post("BONUS_GRANT", 500n);
    const stake = await post("STAKE", 1_200n);
    await post("WIN", 600n, { refKey: stake.idempotencyKey });
    await post("DEPOSIT", 300n);
    await post("WITHDRAWAL_RESERVE", 200n);

    const own = await svc.graphql<WalletResult>(WALLET, { p: playerId, first: 10 }, finance);
    expect(own.errors).toBeUndefined();
    const wallet = own.data!.walletOfPlayer;
    // Stake 12.00 = 10.00 cash + 2.00 bonus; the win 6.00 goes back 1/6 to bonus (1.00) and 5/6 to cash (5.00).
    expect(wallet).toMatchObject({ balances: [{ amount: "6.00" }], bonusBalances: [{ amount: "4.00" }], reservedBalances: [{ amount: "2.00" }], version: 6 });
    expect(wallet.transactions.edges.map((e) => e.node.type)).toEqual(["WITHDRAWAL_RESERVE", "DEPOSIT", "WIN", "STAKE", "BONUS_GRANT", "DEPOSIT"]);
    expect(wallet.transactions.edges[2]!.node).toMatchObject({ amount: { amount: "5.00" }, bonusAmount: { amount: "1.00" }, refKey: stake.idempotencyKey });
    expect(wallet.transactions.edges[3]!.node).toMatchObject({ amount: { amount: "-10.00" }, bonusAmount: { amount: "-2.00" } });
    expect(wallet.transactions.edges[0]!.node).toMatchObject({ amount: { amount: "-2.00" }, reservedAmount: { amount: "2.00" } });

    const games = await svc.graphql<WalletResult>(WALLET, { p: playerId, first: 1, filter: { types: ["STAKE", "WIN"] } }, finance);
    const page1 = games.data!.walletOfPlayer.transactions;
    expect(page1.edges.map((e) => e.node.type)).toEqual(["WIN"]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await svc.graphql<WalletResult>(WALLET, { p: playerId, first: 1, after: page1.pageInfo.endCursor, filter: { types: ["STAKE", "WIN"] } }, finance)).data!.walletOfPlayer.transactions;
    expect(page2.edges.map((e) => e.node.type)).toEqual(["STAKE"]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it("refuses a page size outside 1-100 and a forged cursor", async () => {
    const playerId = await createWallet(svc);
    for (const vars of [{ first: 0 }, { first: 101 }, { first: 5, after: "bm90LWEtY3Vyc29y" }]) {
      const res = await svc.graphql(WALLET, { p: playerId, ...vars }, finance);
      expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
  });
});
