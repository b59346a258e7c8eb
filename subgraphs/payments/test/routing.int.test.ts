import { randomUUID } from "node:crypto";
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
