import { randomUUID } from "node:crypto";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import { cashOf, countWalletTransactions, playerWithWallet, startDepositHarness, type DepositHarness } from "./support/deposit-harness.ts";

let h: DepositHarness;
beforeAll(async () => {
  h = await startDepositHarness();
}, 120_000);
afterAll(async () => {
  await h.stop();
});
afterEach(() => {
  for (const sim of [h.stripe, h.nuvei, h.trustly]) sim.mode = "normal";
  h.switchable.down = false;
  h.compliance.unavailable = false;
});

const REQUEST = `mutation($input: RequestWithdrawalInput!) {
  requestWithdrawal(input: $input) { id direction status psp pspReference failureReason amount { amount currency } }
}`;
const APPROVE = `mutation($id: ID!) { approveWithdrawal(id: $id) { id status } }`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectWithdrawal(id: $id, reason: $reason) { id status failureReason } }`;

interface Withdrawal {
  id: string;
  status: string;
  psp: string;
  failureReason: string | null;
}

async function fundedPlayer(amountMinor: bigint, currency = "GBP"): Promise<string> {
  const playerId = await playerWithWallet(h, currency);
  await h.walletClient.post({ type: "DEPOSIT", playerId, currency, amount: amountMinor.toString(), idempotencyKey: `fund-${randomUUID()}`, counterRef: "stripe" });
  return playerId;
}

async function requestWithdrawal(playerId: string, amount: string, method = "card", idempotencyKey = `w-${randomUUID()}`, currency = "GBP") {
  const res = await h.payments.graphql<{ requestWithdrawal: Withdrawal }>(REQUEST, { input: { amount: { amount, currency }, method, idempotencyKey } }, await h.payments.tokens.player(playerId));
  expect(res.errors).toBeUndefined();
  return res.data!.requestWithdrawal;
}

const row = (id: string) => h.payments.runtime.prisma.payment.findUniqueOrThrow({ where: { id } });
const balances = async (playerId: string, currency = "GBP") => {
  const b = await h.walletClient.balance(playerId, currency);
  return { cash: BigInt(b.cash), reserved: BigInt(b.reserved) };
};
const settled = (id: string) => waitUntil(`withdrawal ${id} settled`, async () => (await row(id)).walletTransactionId !== null, 15_000);

describe("a withdrawal under the AML threshold", () => {
  it("reserves at request, is sent to the PSP, and is committed once the PSP pays", async () => {
    const playerId = await fundedPlayer(10_000n);
    // The payout notification comes late enough to see the reservation first.
    h.stripe.notificationDelayMs = 500;
    const w = await requestWithdrawal(playerId, "40.00");
    h.stripe.notificationDelayMs = 20;
    expect(w).toMatchObject({ status: "SENT", psp: "stripe", failureReason: null });
    expect(await balances(playerId)).toEqual({ cash: 6_000n, reserved: 4_000n });
    await settled(w.id);
    expect(await row(w.id)).toMatchObject({ status: "PAID", reviewReason: null });
    expect(await balances(playerId)).toEqual({ cash: 6_000n, reserved: 0n });
    // Deposit, reservation, commit.
    expect(await countWalletTransactions(h, playerId)).toBe(3);

    await h.stripe.idle();
    const mine = h.stripe.sent.filter((s) => s.body.includes(w.id));
    await Promise.all(mine.flatMap((s) => [1, 2, 3].map(() => fetch(h.notificationUrl("stripe"), { method: "POST", headers: s.headers, body: s.body }))));
    expect(await countWalletTransactions(h, playerId)).toBe(3);
  });

  it("goes through the bank PSP for bank transfers (Trustly-style debit = paid)", async () => {
    const playerId = await fundedPlayer(50_000n, "EUR");
    const w = await requestWithdrawal(playerId, "120.00", "bank_transfer", `w-${randomUUID()}`, "EUR");
    expect(w).toMatchObject({ psp: "trustly", status: "SENT" });
    await settled(w.id);
    expect((await row(w.id)).status).toBe("PAID");
    expect(await balances(playerId, "EUR")).toEqual({ cash: 38_000n, reserved: 0n });
  });

  it("voids the reservation when the PSP fails the payout later", async () => {
    const playerId = await fundedPlayer(10_000n);
    const w = await requestWithdrawal(playerId, "10.13");
    await settled(w.id);
    expect(await row(w.id)).toMatchObject({ status: "FAILED", failureReason: "account_closed" });
    expect(await balances(playerId)).toEqual({ cash: 10_000n, reserved: 0n });
  });

  it("fails without moving money when the cash does not cover it", async () => {
    const playerId = await fundedPlayer(1_000n);
    const w = await requestWithdrawal(playerId, "10.01");
    expect(w).toMatchObject({ status: "FAILED", failureReason: "INSUFFICIENT_FUNDS" });
    expect(await balances(playerId)).toEqual({ cash: 1_000n, reserved: 0n });
    expect(await countWalletTransactions(h, playerId)).toBe(1);
  });

  it("returns the same withdrawal for the same key and input, reserving once", async () => {
    const playerId = await fundedPlayer(10_000n);
    const key = `same-${randomUUID()}`;
    const first = await requestWithdrawal(playerId, "5.00", "card", key);
    const again = await requestWithdrawal(playerId, "5.00", "card", key);
    expect(again.id).toBe(first.id);
    await settled(first.id);
    expect(await cashOf(h, playerId)).toBe(9_500n);
    const other = await h.payments.graphql(REQUEST, { input: { amount: { amount: "6.00", currency: "GBP" }, method: "card", idempotencyKey: key } }, await h.payments.tokens.player(playerId));
    expect(other.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("settles once when the wallet was unreachable as the PSP paid: the PSP's resend settles it", async () => {
    const playerId = await fundedPlayer(10_000n);
    h.stripe.notificationDelayMs = 300;
    const w = await requestWithdrawal(playerId, "20.00");
    h.stripe.notificationDelayMs = 20;
    h.switchable.down = true;
    await waitUntil("paid, not settled", async () => (await row(w.id)).status === "PAID");
    await waitUntil("the PSP told to retry", () => h.stripe.sent.some((s) => s.body.includes(w.id) && s.status === 500));
    h.switchable.down = false;
    await settled(w.id);
    expect(await balances(playerId)).toEqual({ cash: 8_000n, reserved: 0n });
    expect(await countWalletTransactions(h, playerId)).toBe(3);
  });
});

describe("a withdrawal from the AML threshold", () => {
  it("waits on hold with the funds reserved until finance approves it, then is paid", async () => {
    const playerId = await fundedPlayer(500_000n);
    const w = await requestWithdrawal(playerId, "2000.00");
    expect(w.status).toBe("ON_HOLD");
    expect((await row(w.id)).holdReason).toBe("AML_THRESHOLD");
    expect(await balances(playerId)).toEqual({ cash: 300_000n, reserved: 200_000n });
    const byPlayer = await h.payments.graphql(APPROVE, { id: w.id }, await h.payments.tokens.player(playerId));
    expect(byPlayer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const bySupport = await h.payments.graphql(APPROVE, { id: w.id }, await h.payments.tokens.staff(["support"]));
    expect(bySupport.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const approved = await h.payments.graphql<{ approveWithdrawal: { status: string } }>(APPROVE, { id: w.id }, await h.payments.tokens.staff(["finance"]));
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveWithdrawal.status).toBe("SENT");
    await settled(w.id);
    expect(await balances(playerId)).toEqual({ cash: 300_000n, reserved: 0n });
    const twice = await h.payments.graphql(APPROVE, { id: w.id }, await h.payments.tokens.staff(["finance"]));
    expect(twice.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });

  it("returns the reserved funds to cash when compliance rejects it, with the reason", async () => {
    const playerId = await fundedPlayer(500_000n);
    const w = await requestWithdrawal(playerId, "2500.00");
    const rejected = await h.payments.graphql<{ rejectWithdrawal: Withdrawal }>(REJECT, { id: w.id, reason: "source of funds not evidenced" }, await h.payments.tokens.staff(["compliance"]));
    expect(rejected.errors).toBeUndefined();
    expect(rejected.data!.rejectWithdrawal).toMatchObject({ status: "FAILED", failureReason: "REJECTED: source of funds not evidenced" });
    expect((await row(w.id)).walletTransactionId).not.toBeNull();
    expect(await balances(playerId)).toEqual({ cash: 500_000n, reserved: 0n });
    expect(await countWalletTransactions(h, playerId)).toBe(3);
  });
});

describe("the compliance gate before a withdrawal", () => {
  const HOLD_REASON = `query($id: ID!) { payment(id: $id) { id status holdReason } }`;

  it("refuses a withdrawal compliance does not allow, with its reasons, and reserves nothing", async () => {
    const playerId = await fundedPlayer(10_000n);
    h.compliance.withdrawalRefusals.set(playerId, ["IDENTITY_NOT_VERIFIED"]);
    const calls = h.compliance.withdrawalCalls;
    const res = await h.payments.graphql(REQUEST, { input: { amount: { amount: "40.00", currency: "GBP" }, method: "card", idempotencyKey: `w-${randomUUID()}` } }, await h.payments.tokens.player(playerId));
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reasons: ["IDENTITY_NOT_VERIFIED"] });
    expect(h.compliance.withdrawalCalls).toBe(calls + 1);
    expect(await h.payments.runtime.prisma.payment.count({ where: { playerId } })).toBe(0);
    expect(await balances(playerId)).toEqual({ cash: 10_000n, reserved: 0n });
    expect(await countWalletTransactions(h, playerId)).toBe(1);
  });

  it("fails closed while compliance cannot answer: nothing written or reserved", async () => {
    const playerId = await fundedPlayer(10_000n);
    h.compliance.unavailable = true;
    const res = await h.payments.graphql(REQUEST, { input: { amount: { amount: "40.00", currency: "GBP" }, method: "card", idempotencyKey: `w-${randomUUID()}` } }, await h.payments.tokens.player(playerId));
    expect(res.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(await h.payments.runtime.prisma.payment.count({ where: { playerId } })).toBe(0);
    expect(await balances(playerId)).toEqual({ cash: 10_000n, reserved: 0n });
  });

  it("holds a small withdrawal compliance wants reviewed, reserved, until staff approve it; staff see why", async () => {
    const playerId = await fundedPlayer(10_000n);
    h.compliance.reviews.set(playerId, ["AML_CASE_OPEN", "AML_RAPID_CYCLE"]);
    const w = await requestWithdrawal(playerId, "40.00");
    expect(w.status).toBe("ON_HOLD");
    expect(await balances(playerId)).toEqual({ cash: 6_000n, reserved: 4_000n });
    const finance = await h.payments.tokens.staff(["finance"]);
    const seen = await h.payments.graphql<{ payment: { holdReason: string } }>(HOLD_REASON, { id: w.id }, finance);
    expect(seen.data?.payment.holdReason).toBe("COMPLIANCE: AML_CASE_OPEN, AML_RAPID_CYCLE");
    // The player sees the payment but not why it is held.
    const own = await h.payments.graphql<{ payment: { holdReason: string | null } }>(HOLD_REASON, { id: w.id }, await h.payments.tokens.player(playerId));
    expect(own.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const approved = await h.payments.graphql<{ approveWithdrawal: { status: string } }>(APPROVE, { id: w.id }, finance);
    expect(approved.data?.approveWithdrawal.status).toBe("SENT");
    await settled(w.id);
    expect(await balances(playerId)).toEqual({ cash: 6_000n, reserved: 0n });
  });

  it("keeps both reasons when compliance's review and the threshold both hold it", async () => {
    const playerId = await fundedPlayer(500_000n);
    h.compliance.reviews.set(playerId, ["BLOCKED"]);
    const w = await requestWithdrawal(playerId, "2000.00");
    expect(w.status).toBe("ON_HOLD");
    expect((await row(w.id)).holdReason).toBe("COMPLIANCE: BLOCKED; AML_THRESHOLD");
  });

  it("does not ask compliance again for a replayed request", async () => {
    const playerId = await fundedPlayer(10_000n);
    const key = `w-${randomUUID()}`;
    const first = await requestWithdrawal(playerId, "10.00", "card", key);
    const calls = h.compliance.withdrawalCalls;
    const again = await requestWithdrawal(playerId, "10.00", "card", key);
    expect(again.id).toBe(first.id);
    expect(h.compliance.withdrawalCalls).toBe(calls);
  });
});
