import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { walletService } from "../src/service.ts";

let svc: TestService<PrismaClient>;
let finance: string;

beforeAll(async () => {
  svc = await startTestService(walletService);
  finance = await svc.tokens.staff(["finance"]);
});
afterAll(async () => {
  await svc.stop();
});

async function openWallet(currency = "GBP"): Promise<string> {
  const playerId = randomUUID();
  await svc.runtime.bus.publish([
    {
      id: randomUUID(),
      type: "player.registered",
      source: "player",
      aggregateId: playerId,
      playerId,
      occurredAt: new Date().toISOString(),
      payload: { playerId, currency, country: "GB", dateOfBirth: "1990-01-01" },
    },
  ]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await svc.runtime.prisma.wallet.findUnique({ where: { playerId } })) return playerId;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("wallet was not opened from player.registered");
}

const ADJUST = `mutation($playerId: ID!, $amount: MoneyInput!, $key: String!, $reason: String!) {
  adjustBalance(playerId: $playerId, amount: $amount, reason: $reason, idempotencyKey: $key) {
    id type amount { amount currency } balanceAfter { amount currency } walletVersion idempotencyKey reason
  }
}`;
type AdjustResult = { adjustBalance: { id: string; balanceAfter: { amount: string }; walletVersion: number } };

const adjust = (playerId: string, amount: string, key: string, token = finance, currency = "GBP") =>
  svc.graphql<AdjustResult>(ADJUST, { playerId, amount: { amount, currency }, key, reason: "goodwill credit" }, token);

const countTransactions = (playerId: string) => svc.runtime.prisma.ledgerTransaction.count({ where: { playerId } });

describe("adjustBalance", () => {
  it("credits and debits the cash balance, bumping the wallet version", async () => {
    const playerId = await openWallet();
    const credit = await adjust(playerId, "25.00", randomUUID());
    expect(credit.errors).toBeUndefined();
    expect(credit.data?.adjustBalance).toMatchObject({ balanceAfter: { amount: "25.00" }, walletVersion: 1 });
    const debit = await adjust(playerId, "-10.50", randomUUID());
    expect(debit.data?.adjustBalance).toMatchObject({ balanceAfter: { amount: "14.50" }, walletVersion: 2 });
  });

  it("returns the first transaction for a replayed key and refuses the key with other inputs", async () => {
    const playerId = await openWallet();
    const key = randomUUID();
    const first = await adjust(playerId, "5.00", key);
    const replay = await adjust(playerId, "5.00", key);
    expect(replay.data?.adjustBalance.id).toBe(first.data?.adjustBalance.id);
    const reused = await adjust(playerId, "6.00", key);
    expect(reused.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await countTransactions(playerId)).toBe(1);
  });

  it("refuses a debit beyond the balance and writes nothing", async () => {
    const playerId = await openWallet();
    await adjust(playerId, "1.00", randomUUID());
    const res = await adjust(playerId, "-1.01", randomUUID());
    expect(res.errors?.[0]?.extensions?.code).toBe("INSUFFICIENT_FUNDS");
    expect(await countTransactions(playerId)).toBe(1);
    const wallet = await svc.runtime.prisma.wallet.findUniqueOrThrow({ where: { playerId } });
    expect(wallet.version).toBe(1n);
  });

  it.each([
    ["zero", "0.00", "GBP"],
    ["fractional minor units", "0.001", "GBP"],
    ["beyond 64 bits", "99999999999999999999", "GBP"],
    ["an unknown currency", "1.00", "XYZ"],
  ])("refuses %s with BAD_USER_INPUT and writes nothing", async (_label, amount, currency) => {
    const playerId = await openWallet();
    const res = await adjust(playerId, amount, randomUUID(), finance, currency);
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await countTransactions(playerId)).toBe(0);
  });

  it("refuses a malformed idempotency key", async () => {
    const playerId = await openWallet();
    const res = await adjust(playerId, "1.00", "has spaces in it");
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("answers NOT_FOUND for a player without a wallet", async () => {
    const res = await adjust(randomUUID(), "1.00", randomUUID());
    expect(res.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("is for finance and admin staff only", async () => {
    const playerId = await openWallet();
    const support = await adjust(playerId, "1.00", randomUUID(), await svc.tokens.staff(["support"]));
    expect(support.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const player = await adjust(playerId, "1.00", randomUUID(), await svc.tokens.player(playerId));
    expect(player.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await svc.graphql(ADJUST, { playerId, amount: { amount: "1.00", currency: "GBP" }, key: "k1", reason: "x" });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const admin = await adjust(playerId, "1.00", randomUUID(), await svc.tokens.staff(["admin"]));
    expect(admin.errors).toBeUndefined();
    expect(await countTransactions(playerId)).toBe(1);
  });

  it("writes one event to the outbox in the same transaction: the facts, and the live balance for balanceChanged", async () => {
    const playerId = await openWallet();
    const res = await adjust(playerId, "3.00", randomUUID());
    const rows = await svc.runtime.prisma.outboxEvent.findMany({ where: { playerId }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.type)).toEqual(["wallet.transaction_posted"]);
    expect(rows[0]).toMatchObject({
      liveTopic: "balanceChanged",
      payload: {
        transactionId: res.data?.adjustBalance.id,
        type: "MANUAL_ADJUSTMENT",
        amountMinor: "300",
        bonusAmountMinor: "0",
        reservedAmountMinor: "0",
        walletVersion: "1",
        playerId,
        version: 1,
        balance: { amount: "3.00", currency: "GBP" },
      },
    });
    // Every currency's balances are not carried: the gateway fetches them when a client asks.
    expect(rows[0]!.payload).not.toHaveProperty("balances");
  });

  it("keeps postings summing to zero, the chain linked, and the ledger append-only", async () => {
    const playerId = await openWallet();
    for (const amount of ["10.00", "-3.00", "2.50"]) await adjust(playerId, amount, randomUUID());
    const txs = await svc.runtime.prisma.ledgerTransaction.findMany({ where: { playerId }, orderBy: { seq: "asc" }, include: { postings: true } });
    expect(txs).toHaveLength(3);
    for (const tx of txs) expect(tx.postings.reduce((sum, p) => sum + p.amount, 0n)).toBe(0n);
    expect(txs[1]!.prevHash).toBe(txs[0]!.hash);
    expect(txs[2]!.prevHash).toBe(txs[1]!.hash);
    const wallet = await svc.runtime.prisma.wallet.findUniqueOrThrow({ where: { playerId } });
    expect(wallet.headHash).toBe(txs[2]!.hash);
    await expect(svc.runtime.prisma.$executeRawUnsafe(`UPDATE ledger_transaction SET amount = 0 WHERE id = '${txs[0]!.id}'`)).rejects.toThrow(
      /immutable/,
    );
  });
});

describe("concurrency", () => {
  it("lets exactly the affordable debits through when 60 race on one wallet", async () => {
    const playerId = await openWallet();
    await adjust(playerId, "10.00", randomUUID());
    const results = await Promise.all(Array.from({ length: 60 }, () => adjust(playerId, "-1.00", randomUUID())));
    const ok = results.filter((r) => !r.errors).length;
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === "INSUFFICIENT_FUNDS").length;
    expect(ok).toBe(10);
    expect(refused).toBe(50);
    const account = await svc.runtime.prisma.account.findFirstOrThrow({ where: { playerId, type: "PLAYER_CASH" } });
    expect(account.balance).toBe(0n);
  });

  it("books one transaction when 40 replays of one key race", async () => {
    const playerId = await openWallet();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 40 }, () => adjust(playerId, "2.00", key)));
    expect(results.every((r) => !r.errors)).toBe(true);
    expect(new Set(results.map((r) => r.data?.adjustBalance.id)).size).toBe(1);
    expect(await countTransactions(playerId)).toBe(1);
  });
});

describe("reading wallets", () => {
  const ENTITY = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Player { wallet { playerId version balances { amount currency } } } } }`;

  it("shows a player their own wallet through the Player entity, with a zero balance before any transaction", async () => {
    const playerId = await openWallet("EUR");
    const token = await svc.tokens.player(playerId);
    const res = await svc.graphql(ENTITY, { reps: [{ __typename: "Player", id: playerId, currency: "EUR" }] }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ _entities: [{ wallet: { playerId, version: 0, balances: [{ amount: "0.00", currency: "EUR" }] } }] });
  });

  it("refuses another player's wallet", async () => {
    const playerId = await openWallet();
    const res = await svc.graphql(ENTITY, { reps: [{ __typename: "Player", id: playerId, currency: "GBP" }] }, await svc.tokens.player());
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("pages through transactions newest first without gaps or repeats", async () => {
    const playerId = await openWallet();
    for (let i = 1; i <= 7; i++) await adjust(playerId, `${i}.00`, randomUUID());
    const token = await svc.tokens.player(playerId);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const res: { data?: { _entities: Array<{ wallet: { transactions: { edges: Array<{ node: { amount: { amount: string } } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } }> } | null } =
        await svc.graphql(
          `query($reps: [_Any!]!, $after: String) { _entities(representations: $reps) { ... on Player { wallet { transactions(first: 3, after: $after) { edges { node { amount { amount } } } pageInfo { hasNextPage endCursor } } } } } }`,
          { reps: [{ __typename: "Player", id: playerId, currency: "GBP" }], after },
          token,
        );
      const conn = res.data!._entities[0]!.wallet.transactions;
      seen.push(...conn.edges.map((e) => e.node.amount.amount));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(["7.00", "6.00", "5.00", "4.00", "3.00", "2.00", "1.00"]);
  });

  it("answers the subscription twin query for the owner", async () => {
    const playerId = await openWallet();
    await adjust(playerId, "4.20", randomUUID());
    const res = await svc.graphql(
      `query($id: ID!) { balanceOfPlayer(playerId: $id) { playerId version balance { amount currency } } }`,
      { id: playerId },
      await svc.tokens.player(playerId),
    );
    expect(res.data).toEqual({ balanceOfPlayer: { playerId, version: 1, balance: { amount: "4.20", currency: "GBP" } } });
  });

  it("opens a wallet once however often player.registered is delivered", async () => {
    const playerId = randomUUID();
    const event = {
      id: randomUUID(),
      type: "player.registered",
      source: "player" as const,
      aggregateId: playerId,
      playerId,
      occurredAt: new Date().toISOString(),
      payload: { playerId, currency: "GBP", country: "GB", dateOfBirth: "1990-01-01" },
    };
    await svc.runtime.bus.publish([event, event, event]);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(await svc.runtime.prisma.wallet.findUnique({ where: { playerId } }))) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(await svc.runtime.prisma.account.count({ where: { playerId } })).toBe(1);
    expect(await svc.runtime.prisma.processedEvent.count({ where: { eventId: event.id } })).toBe(1);
  });
});
