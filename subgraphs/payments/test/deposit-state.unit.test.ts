import { decideDeposit, type DepositState, type DepositStatus } from "../src/deposits/deposit-state.ts";
import type { PspEvent, PspPaymentStatus } from "../src/psp/types.ts";

const deposit = (status: DepositStatus, overrides: Partial<DepositState> = {}): DepositState => ({
  status,
  psp: "stripe",
  pspReference: "pi_1",
  amountMinor: 1250n,
  currency: "GBP",
  ...overrides,
});
const event = (status: PspPaymentStatus, overrides: Partial<PspEvent> = {}): PspEvent => ({
  psp: "stripe",
  notificationId: `evt_${status}`,
  pspReference: "pi_1",
  merchantReference: "p-1",
  kind: "DEPOSIT",
  status,
  amountMinor: 1250n,
  currency: "GBP",
  pspType: status,
  reason: undefined,
  raw: {},
  ...overrides,
});

describe("a deposit given a notification", () => {
  it.each([
    ["INITIATED", "PENDING", { outcome: "APPLIED", to: "PENDING" }],
    ["INITIATED", "SUCCEEDED", { outcome: "APPLIED", to: "SUCCEEDED" }],
    ["INITIATED", "FAILED", { outcome: "APPLIED", to: "FAILED" }],
    ["PENDING", "SUCCEEDED", { outcome: "APPLIED", to: "SUCCEEDED" }],
    ["PENDING", "FAILED", { outcome: "APPLIED", to: "FAILED" }],
    ["PENDING", "PENDING", { outcome: "STALE" }],
    ["SUCCEEDED", "PENDING", { outcome: "STALE" }],
    ["SUCCEEDED", "SUCCEEDED", { outcome: "STALE" }],
    ["SUCCEEDED", "FAILED", { outcome: "STALE" }],
    ["FAILED", "SUCCEEDED", { outcome: "APPLIED", to: "SUCCEEDED" }],
    ["FAILED", "FAILED", { outcome: "STALE" }],
    ["FAILED", "PENDING", { outcome: "STALE" }],
    ["SUCCEEDED", "REVERSED", { outcome: "REVIEW" }],
    ["PENDING", "REVERSED", { outcome: "APPLIED", to: "FAILED" }],
  ] as const)("in %s, on %s: %o", (from, status, expected) => {
    expect(decideDeposit(deposit(from), event(status))).toMatchObject(expected);
  });

  it("ends in the same state whatever the order of pending, failed and succeeded notifications", () => {
    const events = [event("PENDING"), event("FAILED"), event("SUCCEEDED")];
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    for (const order of orders) {
      let state = deposit("INITIATED");
      for (const i of order) {
        const decision = decideDeposit(state, events[i]!);
        if (decision.outcome === "APPLIED") state = { ...state, status: decision.to };
      }
      expect(state.status).toBe("SUCCEEDED");
    }
  });

  it("takes the PSP's reference when the notification arrives before the PSP's answer", () => {
    expect(decideDeposit(deposit("INITIATED", { pspReference: null }), event("PENDING", { pspReference: "pi_9" }))).toEqual({ outcome: "APPLIED", to: "PENDING", pspReference: "pi_9" });
  });

  it.each([
    ["another amount", event("SUCCEEDED", { amountMinor: 1251n }), /amount 1251/],
    ["another currency", event("SUCCEEDED", { currency: "EUR" }), /currency EUR/],
    ["another PSP", event("SUCCEEDED", { psp: "nuvei" }), /from nuvei/],
    ["another PSP reference", event("SUCCEEDED", { pspReference: "pi_2" }), /pi_2/],
    ["a payout", event("SUCCEEDED", { kind: "PAYOUT" }), /PAYOUT/],
  ])("refuses to act on %s and says why", (_case, e, detail) => {
    const decision = decideDeposit(deposit("PENDING"), e);
    expect(decision.outcome).toBe("MISMATCH");
    expect((decision as { detail: string }).detail).toMatch(detail);
  });

  it("accepts a failure without an amount (Trustly's cancel carries none)", () => {
    expect(decideDeposit(deposit("PENDING"), event("FAILED", { amountMinor: undefined, currency: undefined }))).toMatchObject({ outcome: "APPLIED", to: "FAILED" });
  });
});
