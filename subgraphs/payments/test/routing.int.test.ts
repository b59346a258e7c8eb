import { randomUUID } from "node:crypto";
import { RouteTable } from "../src/route-table.ts";
import { DEFAULT_ROUTES } from "../src/routing.ts";
import { playerWithWallet, startDepositHarness, type DepositHarness } from "./support/deposit-harness.ts";

let h: DepositHarness;
beforeAll(async () => {
  h = await startDepositHarness({
    PSP_BREAKER_FAILURES: "2",
    PSP_BREAKER_OPEN_MS: "60000",
    PAYMENTS_ROUTES: JSON.stringify([
      { method: "card", currencies: ["EUR"], psps: ["nuvei"] },
      { method: "card", psps: ["stripe", "nuvei"] },
      { method: "bank_transfer", psps: ["trustly"] },
    ]),
  });
}, 120_000);
afterAll(async () => {
  await h.stop();
});

const START = `mutation($input: StartDepositInput!) { startDeposit(input: $input) { payment { id status psp } } }`;
async function timedDeposit(playerId: string, currency = "GBP") {
  const started = Date.now();
  const res = await h.payments.graphql<{ startDeposit: { payment: { id: string; status: string; psp: string } } }>(
    START,
    { input: { amount: { amount: "10.00", currency }, method: "card", idempotencyKey: `k-${randomUUID()}` } },
    await h.payments.tokens.player(playerId),
  );
  expect(res.errors).toBeUndefined();
  return { ...res.data!.startDeposit.payment, ms: Date.now() - started };
}

describe("routing rules from PAYMENTS_ROUTES", () => {
  it("sends EUR card deposits to the PSP its rule names", async () => {
    const playerId = await playerWithWallet(h, "EUR");
    expect((await timedDeposit(playerId, "EUR")).psp).toBe("nuvei");
  });
});

describe("routing rules as data, for staff", () => {
  const ROUTES = `query { paymentRoutes { version updatedBy updatedAt rules { position method currencies countries minMinor maxMinor riskLevels psps weights } } }`;
  const SET = `mutation($rules: [PaymentRouteInput!]!, $v: Int) { setPaymentRoutes(rules: $rules, expectedVersion: $v) { version updatedBy rules { position method riskLevels psps } } }`;
  type Table = { version: number; updatedBy: string; rules: Array<{ position: number; method: string; riskLevels: string[] | null; psps: string[]; currencies?: string[] | null }> };
  const read = async (token: string) => (await h.payments.graphql<{ paymentRoutes: Table }>(ROUTES, {}, token)).data!.paymentRoutes;
  const changes = () => h.payments.runtime.prisma.outboxEvent.findMany({ where: { type: "payments.routes_changed" }, orderBy: { seq: "asc" } });

  it("are seeded from PAYMENTS_ROUTES into the table once, and shown to finance, compliance and admin only", async () => {
    const admin = await h.payments.tokens.staff(["admin"]);
    const table = await read(admin);
    expect(table).toMatchObject({ version: 1, updatedBy: "seed:PAYMENTS_ROUTES" });
    expect(table.rules).toEqual([
      { position: 0, method: "card", currencies: ["EUR"], countries: null, minMinor: null, maxMinor: null, riskLevels: null, psps: ["nuvei"], weights: null },
      { position: 1, method: "card", currencies: null, countries: null, minMinor: null, maxMinor: null, riskLevels: null, psps: ["stripe", "nuvei"], weights: null },
      { position: 2, method: "bank_transfer", currencies: null, countries: null, minMinor: null, maxMinor: null, riskLevels: null, psps: ["trustly"], weights: null },
    ]);
    for (const role of ["finance", "compliance"] as const) expect(await read(await h.payments.tokens.staff([role]))).toEqual(table);
    for (const token of [await h.payments.tokens.staff(["support"]), await h.payments.tokens.player()]) {
      expect((await h.payments.graphql(ROUTES, {}, token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    // Another start (or another process) on a seeded table changes nothing.
    const again = new RouteTable(h.payments.runtime.prisma, h.payments.runtime.db.sql, () => undefined, h.payments.runtime.log);
    expect(await again.seed(DEFAULT_ROUTES, "seed:defaults")).toBe(false);
    expect(await read(admin)).toEqual(table);
    expect((await changes()).map((e) => (e.payload as { changedBy: string }).changedBy)).toEqual(["seed:PAYMENTS_ROUTES"]);
  });

  it("are replaced by admin or finance, audited, and route the very next deposit and withdrawal on the player's risk", async () => {
    const finance = await h.payments.tokens.staff(["finance"]);
    const before = await read(finance);
    for (const role of ["compliance", "support"] as const) {
      const refused = await h.payments.graphql(SET, { rules: [{ method: "card", psps: ["nuvei"] }] }, await h.payments.tokens.staff([role]));
      expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const rules = [
      { method: "card", riskLevels: ["HIGH"], psps: ["nuvei"] },
      { method: "card", psps: ["stripe", "nuvei"] },
      { method: "bank_transfer", psps: ["trustly"] },
    ];
    const set = await h.payments.graphql<{ setPaymentRoutes: Table }>(SET, { rules, v: before.version }, finance);
    expect(set.errors).toBeUndefined();
    expect(set.data!.setPaymentRoutes).toMatchObject({ version: before.version + 1, rules: [{ position: 0, riskLevels: ["HIGH"], psps: ["nuvei"] }, { position: 1, riskLevels: null }, { position: 2 }] });
    const [, changed] = await changes();
    expect(changed!.payload).toMatchObject({ version: before.version + 1, previousVersion: before.version, changedBy: expect.any(String), rules: [{ method: "card", riskLevels: ["HIGH"], psps: ["nuvei"] }, {}, {}], previousRules: [{ currencies: ["EUR"] }, {}, {}] });

    const risky = await playerWithWallet(h);
    h.compliance.risk.set(risky, "HIGH");
    const ordinary = await playerWithWallet(h);
    expect((await timedDeposit(risky)).psp).toBe("nuvei");
    expect((await timedDeposit(ordinary)).psp).toBe("stripe");
    const [deposit] = await h.payments.runtime.prisma.payment.findMany({ where: { playerId: risky } });
    expect(deposit!.riskLevel).toBe("HIGH");

    // Withdrawals too: the risk is kept with the payment and read again when it is sent.
    await h.walletClient.post({ type: "DEPOSIT", playerId: risky, currency: "GBP", amount: "5000", idempotencyKey: `fund-${randomUUID()}`, counterRef: "nuvei" });
    const w = await h.payments.graphql<{ requestWithdrawal: { psp: string; status: string } }>(
      `mutation($input: RequestWithdrawalInput!) { requestWithdrawal(input: $input) { psp status } }`,
      { input: { amount: { amount: "10.00", currency: "GBP" }, method: "card", idempotencyKey: `w-${randomUUID()}` } },
      await h.payments.tokens.player(risky),
    );
    expect(w.data?.requestWithdrawal).toEqual({ psp: "nuvei", status: "SENT" });
  });

  it("take effect in every process at once: there is no cache, a change another process commits routes the next payment", async () => {
    const playerId = await playerWithWallet(h);
    expect((await timedDeposit(playerId)).psp).toBe("stripe");
    // What another payments process's setPaymentRoutes commits.
    await h.payments.runtime.db.sql.query(`UPDATE payment_route SET psps = ARRAY['nuvei', 'stripe'] WHERE position = 1`);
    expect((await timedDeposit(playerId)).psp).toBe("nuvei");
    await h.payments.runtime.db.sql.query(`UPDATE payment_route SET psps = ARRAY['stripe', 'nuvei'] WHERE position = 1`);
  });

  it("refuse bad rules naming the field, and a stale version, changing nothing", async () => {
    const admin = await h.payments.tokens.staff(["admin"]);
    const before = await read(admin);
    const events = (await changes()).length;
    const bad = await h.payments.graphql(SET, { rules: [{ method: "card", psps: ["stripe", "trustly"] }] }, admin);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "rules.0.psps.1" });
    const range = await h.payments.graphql(SET, { rules: [{ method: "card", psps: ["stripe"], minMinor: "10", maxMinor: "9" }] }, admin);
    expect(range.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "rules.0.minMinor" });
    const none = await h.payments.graphql(SET, { rules: [] }, admin);
    expect(none.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const stale = await h.payments.graphql(SET, { rules: [{ method: "card", psps: ["stripe"] }], v: before.version - 1 }, admin);
    expect(stale.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(await read(admin)).toEqual(before);
    expect((await changes()).length).toBe(events);
  });
});


describe("the circuit breaker", () => {
  it("stops waiting for a PSP that keeps timing out: after two failures deposits go straight to the fallback", async () => {
    const playerId = await playerWithWallet(h);
    h.stripe.mode = "timeout";
    const first = await timedDeposit(playerId);
    const second = await timedDeposit(playerId);
    const third = await timedDeposit(playerId);
    for (const d of [first, second, third]) expect(d).toMatchObject({ psp: "nuvei", status: "PENDING" });
    // PSP_TIMEOUT_MS is 1,000 in the harness: the first two waited for it, the third did not.
    expect(first.ms).toBeGreaterThanOrEqual(1_000);
    expect(second.ms).toBeGreaterThanOrEqual(1_000);
    expect(third.ms).toBeLessThan(900);
    h.stripe.mode = "normal";
  });
});
