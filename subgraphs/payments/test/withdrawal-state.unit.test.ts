import type { PspEvent, PspPaymentStatus } from "../src/psp/types.ts";
import { decideWithdrawal, type WithdrawalState, type WithdrawalStatus } from "../src/withdrawals/withdrawal-state.ts";

const withdrawal = (status: WithdrawalStatus, overrides: Partial<WithdrawalState> = {}): WithdrawalState => ({ status, psp: "trustly", pspReference: "o-1", amountMinor: 5000n, currency: "EUR", ...overrides });
const payout = (status: PspPaymentStatus, overrides: Partial<PspEvent> = {}): PspEvent => ({
  psp: "trustly",
  notificationId: `n-${status}`,
  pspReference: "o-1",
  merchantReference: "w-1",
  kind: "PAYOUT",
  status,
  amountMinor: 5000n,
  currency: "EUR",
  pspType: status,
  reason: undefined,
  raw: {},
  ...overrides,
});

describe("a withdrawal given a payout notification", () => {
  it.each([
    ["SENT", "SUCCEEDED", { outcome: "APPLIED", to: "PAID" }],
    ["APPROVED", "SUCCEEDED", { outcome: "APPLIED", to: "PAID" }],
    ["SENT", "FAILED", { outcome: "APPLIED", to: "FAILED" }],
    ["APPROVED", "PENDING", { outcome: "APPLIED", to: "SENT" }],
    ["SENT", "PENDING", { outcome: "STALE" }],
    ["PAID", "SUCCEEDED", { outcome: "STALE" }],
    ["PAID", "FAILED", { outcome: "STALE" }],
    ["PAID", "PENDING", { outcome: "STALE" }],
    ["FAILED", "FAILED", { outcome: "STALE" }],
    ["PAID", "REVERSED", { outcome: "REVIEW" }],
    ["SENT", "REVERSED", { outcome: "APPLIED", to: "FAILED" }],
  ] as const)("in %s, on %s: %o", (from, status, expected) => {
    expect(decideWithdrawal(withdrawal(from), payout(status))).toMatchObject(expected);
  });

  it.each(["FAILED", "ON_HOLD", "REQUESTED"] as const)("flags a payout reported paid for a withdrawal that is %s (money may have left twice)", (from) => {
    expect(decideWithdrawal(withdrawal(from), payout("SUCCEEDED"))).toMatchObject({ outcome: "REVIEW" });
  });

  it("ends PAID whatever the order of pending and paid", () => {
    for (const order of [["PENDING", "SUCCEEDED"], ["SUCCEEDED", "PENDING"]] as const) {
      let state = withdrawal("SENT");
      for (const s of order) {
        const d = decideWithdrawal(state, payout(s));
        if (d.outcome === "APPLIED") state = { ...state, status: d.to };
      }
      expect(state.status).toBe("PAID");
    }
  });

  it("refuses a deposit notification, another amount or another PSP", () => {
    expect(decideWithdrawal(withdrawal("SENT"), payout("SUCCEEDED", { kind: "DEPOSIT" })).outcome).toBe("MISMATCH");
    expect(decideWithdrawal(withdrawal("SENT"), payout("SUCCEEDED", { amountMinor: 5001n })).outcome).toBe("MISMATCH");
    expect(decideWithdrawal(withdrawal("SENT"), payout("SUCCEEDED", { psp: "stripe" })).outcome).toBe("MISMATCH");
  });
});
