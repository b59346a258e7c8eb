import { randomUUID } from "node:crypto";
import { startTestService, type GraphQLResponse, type TestService } from "@casino/kernel/testing/service-harness";
import type { Payment, PrismaClient } from "../src/generated/prisma/client.ts";
import { paymentsService } from "../src/service.ts";
import { createPayment } from "./factories.ts";

let svc: TestService<PrismaClient>;

beforeAll(async () => {
  svc = await startTestService(paymentsService);
});
afterAll(async () => {
  await svc.stop();
});

const PAYMENT_FIELDS = `id playerId player { id } direction status amount { amount currency } method psp pspReference createdAt updatedAt`;
const PAYMENT = `query($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} } }`;
const PAYMENTS = `query($first: Int, $after: String, $filter: PaymentFilter) {
  payments(first: $first, after: $after, filter: $filter) {
    edges { cursor node { id playerId direction status } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const ENTITIES = `query($representations: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $representations) {
    ... on Payment { ${PAYMENT_FIELDS} }
    ... on Player { id payments(first: $first, after: $after) { edges { cursor node { id playerId } } pageInfo { hasNextPage endCursor } } }
  }
}`;

interface PaymentPage {
  edges: Array<{ cursor: string; node: { id: string; playerId: string; direction: string; status: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Newest first, ties by id descending: the order worked out here rather than by the database. */
const newestFirst = (payments: Payment[]) =>
  [...payments].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((p) => p.id);

/** Payments of one player at distinct, increasing times (and three sharing one), oldest first. */
async function paymentHistory(playerId: string, count: number): Promise<Payment[]> {
  const start = Date.now() - 3_600_000;
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      createPayment(svc.runtime.prisma, {
        playerId,
        createdAt: new Date(start + Math.min(i, count - 3) * 1_000),
        direction: i % 2 === 0 ? "DEPOSIT" : "WITHDRAWAL",
        status: i % 2 === 0 ? "SUCCEEDED" : "REQUESTED",
      }),
    ),
  );
}

async function walkPayments(token: string, first: number, filter: Record<string, unknown>) {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const res: GraphQLResponse<{ payments: PaymentPage }> = await svc.graphql(PAYMENTS, { first, after, filter }, token);
    expect(res.errors).toBeUndefined();
    const page = res.data!.payments;
    ids.push(...page.edges.map((e) => e.node.id));
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
  throw new Error("payments did not end within 100 pages");
}

describe("payment(id)", () => {
  it("shows a player their own payment, with exact money and the player as a reference", async () => {
    const payment = await createPayment(svc.runtime.prisma, { amountMinor: 1_000_005n, currency: "EUR", pspReference: "psp-ref-1" });
    const res = await svc.graphql(PAYMENT, { id: payment.id }, await svc.tokens.player(payment.playerId));
    expect(res.errors).toBeUndefined();
    expect(res.data!.payment).toEqual({
      id: payment.id,
      playerId: payment.playerId,
      player: { id: payment.playerId },
      direction: "DEPOSIT",
      status: "SUCCEEDED",
      amount: { amount: "10000.05", currency: "EUR" },
      method: "card",
      psp: "stripe",
      pspReference: "psp-ref-1",
      createdAt: payment.createdAt.toISOString(),
      updatedAt: payment.updatedAt.toISOString(),
    });
  });

  it("refuses another player's payment with FORBIDDEN", async () => {
    const payment = await createPayment(svc.runtime.prisma);
    const res = await svc.graphql(PAYMENT, { id: payment.id }, await svc.tokens.player());
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(res.data?.payment).toBeNull();
  });

  it.each([["support"], ["finance"], ["compliance"], ["admin"]] as const)("shows any payment to %s staff", async (role) => {
    const payment = await createPayment(svc.runtime.prisma, { direction: "WITHDRAWAL", status: "IN_REVIEW" });
    const res = await svc.graphql(PAYMENT, { id: payment.id }, await svc.tokens.staff([role]));
    expect(res.errors).toBeUndefined();
    expect(res.data!.payment).toMatchObject({ id: payment.id, direction: "WITHDRAWAL", status: "IN_REVIEW" });
  });

  it("refuses staff without a payments role, and anonymous callers", async () => {
    const payment = await createPayment(svc.runtime.prisma);
    const kyc = await svc.graphql(PAYMENT, { id: payment.id }, await svc.tokens.staff(["kyc"]));
    expect(kyc.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await svc.graphql(PAYMENT, { id: payment.id });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("answers null for an unknown id and BAD_USER_INPUT for a malformed one", async () => {
    const player = await svc.tokens.player();
    expect((await svc.graphql(PAYMENT, { id: randomUUID() }, player)).data).toEqual({ payment: null });
    const malformed = await svc.graphql(PAYMENT, { id: "pay_123" }, player);
    expect(malformed.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "id" });
  });
});

describe("payments(filter)", () => {
  it("pages a player's payments for staff, newest first, with ties broken by id, without duplicates or gaps", async () => {
    const playerId = randomUUID();
    const history = await paymentHistory(playerId, 11);
    const support = await svc.tokens.staff(["support"]);
    for (const first of [1, 3, 4, 100]) {
      expect(await walkPayments(support, first, { playerId })).toEqual(newestFirst(history));
    }
  });

  it("filters by direction and status", async () => {
    const playerId = randomUUID();
    const history = await paymentHistory(playerId, 8);
    await createPayment(svc.runtime.prisma, { playerId, direction: "WITHDRAWAL", status: "PAID" });
    const finance = await svc.tokens.staff(["finance"]);
    const withdrawals = await walkPayments(finance, 2, { playerId, direction: "WITHDRAWAL", status: "REQUESTED" });
    expect(withdrawals).toEqual(newestFirst(history.filter((p) => p.direction === "WITHDRAWAL")));
    expect(withdrawals).toHaveLength(4);
    expect(await walkPayments(finance, 10, { playerId, status: "PAID" })).toHaveLength(1);
  });

  it("lists payments across players for staff", async () => {
    const first = await createPayment(svc.runtime.prisma);
    const second = await createPayment(svc.runtime.prisma);
    const ids = await walkPayments(await svc.tokens.staff(["compliance"]), 50, {});
    expect(ids).toEqual(expect.arrayContaining([first.id, second.id]));
    expect(ids).toEqual(newestFirst(await svc.runtime.prisma.payment.findMany()));
  });

  it("is staff only", async () => {
    const payment = await createPayment(svc.runtime.prisma);
    const own = await svc.graphql(PAYMENTS, { filter: { playerId: payment.playerId } }, await svc.tokens.player(payment.playerId));
    expect(own.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await svc.graphql(PAYMENTS, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it.each([
    ["first below 1", { first: 0 }, "first"],
    ["first above 100", { first: 101 }, "first"],
    ["a cursor that is not one", { after: "bm90IGEgY3Vyc29y" }, "after"],
    ["a malformed player id", { filter: { playerId: "player-1" } }, "filter.playerId"],
  ])("refuses %s as BAD_USER_INPUT", async (_case, args, field) => {
    const res = await svc.graphql(PAYMENTS, args, await svc.tokens.staff(["support"]));
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
  });
});

describe("federation", () => {
  it("resolves Payment references, guarded like payment(id)", async () => {
    const mine = await createPayment(svc.runtime.prisma);
    const other = await createPayment(svc.runtime.prisma);
    const representations = [{ __typename: "Payment", id: mine.id }];

    const res = await svc.graphql(ENTITIES, { representations }, await svc.tokens.player(mine.playerId));
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([expect.objectContaining({ id: mine.id, amount: { amount: "12.50", currency: "GBP" } })]);

    const denied = await svc.graphql(ENTITIES, { representations: [{ __typename: "Payment", id: other.id }] }, await svc.tokens.player(mine.playerId));
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("resolves unknown or malformed Payment references to null", async () => {
    const res = await svc.graphql(
      ENTITIES,
      { representations: [{ __typename: "Payment", id: randomUUID() }, { __typename: "Payment", id: "nope" }] },
      await svc.tokens.staff(["support"]),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([null, null]);
  });

  it("pages Player.payments for many players in one request", async () => {
    const alice = randomUUID();
    const bob = randomUUID();
    const carol = randomUUID();
    const aliceHistory = await paymentHistory(alice, 5);
    const bobHistory = await paymentHistory(bob, 2);
    const res = await svc.graphql<{ _entities: Array<{ id: string; payments: PaymentPage }> }>(
      ENTITIES,
      { representations: [alice, bob, carol].map((id) => ({ __typename: "Player", id })), first: 3 },
      await svc.tokens.staff(["finance"]),
    );
    expect(res.errors).toBeUndefined();
    const [a, b, c] = res.data!._entities;
    expect(a!.payments.edges.map((e) => e.node.id)).toEqual(newestFirst(aliceHistory).slice(0, 3));
    expect(a!.payments.pageInfo.hasNextPage).toBe(true);
    expect(b!.payments.edges.map((e) => e.node.id)).toEqual(newestFirst(bobHistory));
    expect(b!.payments.pageInfo).toEqual({ hasNextPage: false, endCursor: b!.payments.edges[1]!.cursor });
    expect(c).toEqual({ id: carol, payments: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } } });

    const next = await svc.graphql<{ _entities: Array<{ payments: PaymentPage }> }>(
      ENTITIES,
      { representations: [{ __typename: "Player", id: alice }], first: 3, after: a!.payments.pageInfo.endCursor },
      await svc.tokens.staff(["finance"]),
    );
    expect(next.data!._entities[0]!.payments.edges.map((e) => e.node.id)).toEqual(newestFirst(aliceHistory).slice(3));
  });

  it("shows Player.payments to the player themself and refuses other players", async () => {
    const playerId = randomUUID();
    const [payment] = await paymentHistory(playerId, 3);
    const representations = [{ __typename: "Player", id: playerId }];

    const own = await svc.graphql<{ _entities: Array<{ payments: PaymentPage }> }>(ENTITIES, { representations }, await svc.tokens.player(playerId));
    expect(own.errors).toBeUndefined();
    expect(own.data!._entities[0]!.payments.edges.map((e) => e.node.id)).toContain(payment!.id);

    const other = await svc.graphql(ENTITIES, { representations }, await svc.tokens.player());
    expect(other.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const kyc = await svc.graphql(ENTITIES, { representations }, await svc.tokens.staff(["kyc"]));
    expect(kyc.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("database guarantees", () => {
  it("refuses a non-positive amount, a malformed currency and a repeated idempotency key", async () => {
    await expect(createPayment(svc.runtime.prisma, { amountMinor: 0n })).rejects.toThrow(/payment_amount_positive/);
    await expect(createPayment(svc.runtime.prisma, { amountMinor: -5n })).rejects.toThrow(/payment_amount_positive/);
    await expect(createPayment(svc.runtime.prisma, { currency: "gbp" })).rejects.toThrow(/payment_currency_iso4217/);
    const first = await createPayment(svc.runtime.prisma);
    await expect(createPayment(svc.runtime.prisma, { idempotencyKey: first.idempotencyKey })).rejects.toThrow(/idempotency_key/);
  });
});
