import { createHash, randomUUID } from "node:crypto";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import Stripe from "stripe";
import { SECRETS, cashOf, countWalletTransactions, playerWithWallet, startDepositHarness, type DepositHarness } from "./support/deposit-harness.ts";

let h: DepositHarness;
beforeAll(async () => {
  h = await startDepositHarness();
}, 120_000);
afterAll(async () => {
  await h.stop();
});
afterEach(() => {
  for (const sim of [h.stripe, h.nuvei, h.trustly]) {
    sim.mode = "normal";
    sim.duplicateNotifications = false;
    sim.reverseOrder = false;
  }
  h.switchable.down = false;
  h.compliance.unavailable = false;
});

const START = `mutation($input: StartDepositInput!) {
  startDeposit(input: $input) {
    payment { id playerId direction status amount { amount currency } method psp pspReference failureReason creditedAt }
    nextAction { type url clientSecret }
  }
}`;

interface Started {
  payment: { id: string; status: string; psp: string; pspReference: string | null; failureReason: string | null; creditedAt: string | null; amount: { amount: string; currency: string } };
  nextAction: { type: string; url: string | null; clientSecret: string | null } | null;
}

async function startDeposit(playerId: string, amount: string, method = "card", idempotencyKey = `key-${randomUUID()}`, currency = "GBP") {
  return h.payments.graphql<{ startDeposit: Started }>(START, { input: { amount: { amount, currency }, method, idempotencyKey } }, await h.payments.tokens.player(playerId));
}

const paymentRow = (id: string) => h.payments.runtime.prisma.payment.findUniqueOrThrow({ where: { id } });
const countPayments = () => h.payments.runtime.prisma.payment.count();
const countNotifications = () => h.payments.runtime.prisma.pspNotification.count();
const credited = (id: string) => waitUntil(`payment ${id} credited`, async () => (await paymentRow(id)).walletTransactionId !== null, 15_000);

async function post(psp: "stripe" | "nuvei" | "trustly", body: string, headers: Record<string, string>) {
  const res = await fetch(h.notificationUrl(psp), { method: "POST", headers, body });
  return { status: res.status, body: await res.text() };
}

describe("a card deposit", () => {
  it("is placed with the card PSP, confirmed by its webhooks and credited to the wallet once", async () => {
    const playerId = await playerWithWallet(h);
    const res = await startDeposit(playerId, "25.00");
    expect(res.errors).toBeUndefined();
    const started = res.data!.startDeposit;
    expect(started.payment).toMatchObject({ status: "PENDING", psp: "stripe", amount: { amount: "25.00", currency: "GBP" }, failureReason: null });
    expect(started.nextAction).toMatchObject({ type: "CLIENT_SECRET", clientSecret: expect.stringContaining("_secret_") });
    await credited(started.payment.id);
    await h.stripe.idle();
    const payment = await paymentRow(started.payment.id);
    expect(payment).toMatchObject({ status: "SUCCEEDED", pspReference: started.payment.pspReference, reviewReason: null });
    expect(await cashOf(h, playerId)).toBe(2500n);
    expect(await countWalletTransactions(h, playerId)).toBe(1);
  });

  it("credits once whatever the number and order of notifications, replays included", async () => {
    const playerId = await playerWithWallet(h);
    h.stripe.duplicateNotifications = true;
    h.stripe.reverseOrder = true;
    const started = (await startDeposit(playerId, "10.00")).data!.startDeposit;
    await credited(started.payment.id);
    await h.stripe.idle();
    // Every notification of this payment sent again, ten times, all at once.
    const mine = h.stripe.sent.filter((s) => s.body.includes(started.payment.id));
    expect(mine).toHaveLength(2);
    const replies = await Promise.all(mine.flatMap((s) => Array.from({ length: 10 }, () => post("stripe", s.body, s.headers))));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect((await paymentRow(started.payment.id)).status).toBe("SUCCEEDED");
    expect(await cashOf(h, playerId)).toBe(1000n);
    expect(await countWalletTransactions(h, playerId)).toBe(1);
    const log = await h.payments.runtime.prisma.pspNotification.findMany({ where: { paymentId: started.payment.id } });
    expect(log.map((n) => n.pspType).sort()).toEqual(["payment_intent.processing", "payment_intent.succeeded"]);
  });

  it("fails without a credit when the card is declined later, or at once", async () => {
    const playerId = await playerWithWallet(h);
    const later = (await startDeposit(playerId, "10.13")).data!.startDeposit;
    await waitUntil("decline", async () => (await paymentRow(later.payment.id)).status === "FAILED");
    expect((await paymentRow(later.payment.id)).failureReason).toBe("insufficient_funds");
    const atOnce = (await startDeposit(playerId, "10.14")).data!.startDeposit;
    expect(atOnce.payment).toMatchObject({ status: "FAILED", failureReason: "generic_decline" });
    expect(atOnce.nextAction).toBeNull();
    await h.stripe.idle();
    expect(await cashOf(h, playerId)).toBe(0n);
  });

  it("falls back to the next card PSP when the first is down or times out, never to another method", async () => {
    const playerId = await playerWithWallet(h);
    h.stripe.mode = "outage";
    const outage = (await startDeposit(playerId, "12.00")).data!.startDeposit;
    expect(outage.payment).toMatchObject({ psp: "nuvei", status: "PENDING" });
    expect(outage.nextAction).toMatchObject({ type: "REDIRECT", url: expect.stringContaining("nuvei") });
    h.stripe.mode = "timeout";
    const timeout = (await startDeposit(playerId, "13.00")).data!.startDeposit;
    expect(timeout.payment.psp).toBe("nuvei");
    await Promise.all([credited(outage.payment.id), credited(timeout.payment.id)]);
    expect(await cashOf(h, playerId)).toBe(2500n);

    h.trustly.mode = "outage";
    const bank = (await startDeposit(playerId, "20.00", "bank_transfer")).data!.startDeposit;
    expect(bank.payment).toMatchObject({ psp: "trustly", status: "FAILED", failureReason: "PSP_UNAVAILABLE" });
  });

  it("returns the same deposit for the same key and input, and refuses the key with another input", async () => {
    const playerId = await playerWithWallet(h);
    const key = `same-${randomUUID()}`;
    const first = (await startDeposit(playerId, "5.00", "card", key)).data!.startDeposit;
    const again = (await startDeposit(playerId, "5.00", "card", key)).data!.startDeposit;
    expect(again.payment.id).toBe(first.payment.id);
    expect(again.nextAction).toEqual(first.nextAction);
    const other = await startDeposit(playerId, "6.00", "card", key);
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", field: "input.idempotencyKey" });
    await credited(first.payment.id);
    expect(await cashOf(h, playerId)).toBe(500n);
  });
});

describe("a bank deposit (Trustly-style)", () => {
  it("is credited on the signed credit notification, each notification answered with our signed OK", async () => {
    const playerId = await playerWithWallet(h, "EUR");
    const started = (await startDeposit(playerId, "40.50", "bank_transfer", `k-${randomUUID()}`, "EUR")).data!.startDeposit;
    expect(started.payment).toMatchObject({ psp: "trustly", status: "PENDING" });
    expect(started.nextAction).toMatchObject({ type: "REDIRECT" });
    await credited(started.payment.id);
    await h.trustly.idle();
    expect(await cashOf(h, playerId, "EUR")).toBe(4050n);
    const mine = h.trustly.sent.filter((s) => s.body.includes(started.payment.id));
    expect(mine.map((s) => JSON.parse(s.body).method).sort()).toEqual(["credit", "pending"]);
    expect(mine.every((s) => s.acknowledged && s.attempts === 1)).toBe(true);
  });
});

describe("the compliance gate", () => {
  it("refuses a deposit compliance does not allow, with its reasons, and writes nothing", async () => {
    const playerId = await playerWithWallet(h);
    h.compliance.refusals.set(playerId, ["DEPOSIT_LIMIT_DAY"]);
    const before = await countPayments();
    const res = await startDeposit(playerId, "50.00");
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", reasons: ["DEPOSIT_LIMIT_DAY"] });
    expect(await countPayments()).toBe(before);
  });

  it("fails closed while compliance cannot answer", async () => {
    const playerId = await playerWithWallet(h);
    h.compliance.unavailable = true;
    const before = await countPayments();
    const res = await startDeposit(playerId, "50.00");
    expect(res.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(await countPayments()).toBe(before);
  });

  it("is asked by players only, for themselves", async () => {
    const res = await h.payments.graphql(START, { input: { amount: { amount: "1.00", currency: "GBP" }, method: "card", idempotencyKey: "staff-key-1" } }, await h.payments.tokens.staff(["finance"]));
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it.each([
    ["a zero amount", { amount: { amount: "0.00", currency: "GBP" }, method: "card", idempotencyKey: "bad-input-1" }, "input.amount"],
    ["more decimals than the currency has", { amount: { amount: "1.001", currency: "GBP" }, method: "card", idempotencyKey: "bad-input-2" }, "input.amount"],
    ["an unknown method", { amount: { amount: "1.00", currency: "GBP" }, method: "crypto", idempotencyKey: "bad-input-3" }, "input.method"],
    ["a short key", { amount: { amount: "1.00", currency: "GBP" }, method: "card", idempotencyKey: "k" }, "input.idempotencyKey"],
  ])("refuses %s as BAD_USER_INPUT", async (_case, input, field) => {
    const calls = h.compliance.calls;
    const res = await h.payments.graphql(START, { input }, await h.payments.tokens.player());
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(h.compliance.calls).toBe(calls);
  });
});

describe("notifications that must change nothing", () => {
  it("answers a bad Stripe signature, Nuvei checksum or Trustly signature as each PSP expects and writes nothing", async () => {
    const before = await countNotifications();
    const stripeBody = JSON.stringify({ id: "evt_forged", type: "payment_intent.succeeded", data: { object: {} } });
    const forgedStripe = await post("stripe", stripeBody, { "content-type": "application/json", "stripe-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` });
    expect(forgedStripe.status).toBe(400);
    const forgedNuvei = await post("nuvei", new URLSearchParams({ Status: "APPROVED", totalAmount: "1000.00", currency: "GBP", responseTimeStamp: "x", PPP_TransactionID: "1", TransactionID: "2", productId: "", advanceResponseChecksum: "f".repeat(64) }).toString(), {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(forgedNuvei).toEqual({ status: 400, body: "Invalid checksum" });
    const forgedTrustly = await post("trustly", JSON.stringify({ method: "credit", params: { signature: "AAAA", uuid: randomUUID(), data: { orderid: "1", messageid: "dep:x", notificationid: "n", amount: "10.00", currency: "EUR" } }, version: "1.1" }), {
      "content-type": "application/json",
    });
    expect(forgedTrustly.status).toBe(400);
    expect(JSON.parse(forgedTrustly.body).error.message).toBe("ERROR_UNABLE_TO_VERIFY_RSA_SIGNATURE");
    expect(await countNotifications()).toBe(before);
  });

  it("acknowledges an authentic event type it does not act on, and keeps it", async () => {
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, object: "event", type: "customer.created", data: { object: { id: "cus_1" } } });
    const header = new Stripe("sk_test_x").webhooks.generateTestHeaderString({ payload: body, secret: SECRETS.stripeWebhook });
    const res = await post("stripe", body, { "content-type": "application/json", "stripe-signature": header });
    expect(res).toEqual({ status: 200, body: '{"received":true}' });
    const kept = await h.payments.runtime.prisma.pspNotification.findFirstOrThrow({ where: { notificationId: JSON.parse(body).id } });
    expect(kept).toMatchObject({ outcome: "IGNORED", pspType: "customer.created", paymentId: null });
  });

  it("flags an authentic notification whose amount differs from the payment's, and credits nothing", async () => {
    const playerId = await playerWithWallet(h);
    h.stripe.mode = "outage";
    const started = (await startDeposit(playerId, "30.00")).data!.startDeposit;
    expect(started.payment.psp).toBe("nuvei");
    await h.nuvei.idle();
    await credited(started.payment.id);
    // A second deposit, and a genuine-looking DMN for it with another amount (signed with the real
    // secret) that arrives before Nuvei's own.
    h.nuvei.notificationDelayMs = 1_000;
    const second = (await startDeposit(playerId, "31.00")).data!.startDeposit;
    h.nuvei.notificationDelayMs = 20;
    const fields: Record<string, string> = {
      Status: "APPROVED",
      totalAmount: "3100.00",
      currency: "GBP",
      responseTimeStamp: "2026-11-29.12:00:00",
      PPP_TransactionID: "99",
      TransactionID: second.payment.pspReference!,
      productId: "deposit",
      clientUniqueId: second.payment.id,
      transactionType: "Sale",
    };
    const checksum = createHash("sha256").update(SECRETS.nuvei.secretKey + fields.totalAmount + fields.currency + fields.responseTimeStamp + fields.PPP_TransactionID + fields.Status + fields.productId).digest("hex");
    const res = await post("nuvei", new URLSearchParams({ ...fields, advanceResponseChecksum: checksum }).toString(), { "content-type": "application/x-www-form-urlencoded" });
    expect(res).toEqual({ status: 200, body: "OK" });
    const flagged = await paymentRow(second.payment.id);
    expect(flagged.reviewReason).toMatch(/^MISMATCH: amount 310000/);
    await h.nuvei.idle();
    // The genuine DMNs of the second deposit are then applied, but a flagged payment is not credited automatically.
    expect((await paymentRow(second.payment.id)).walletTransactionId).toBeNull();
    expect(await cashOf(h, playerId)).toBe(3000n);
  });
});

describe("a wallet that cannot be reached", () => {
  it("answers the PSP 'retry', and credits once on the PSP's resend after the wallet is back", async () => {
    const playerId = await playerWithWallet(h);
    h.switchable.down = true;
    const started = (await startDeposit(playerId, "15.00")).data!.startDeposit;
    await waitUntil("deposit succeeded", async () => (await paymentRow(started.payment.id)).status === "SUCCEEDED");
    await waitUntil("a refused delivery", () => h.stripe.sent.some((s) => s.body.includes("payment_intent.succeeded") && s.body.includes(started.payment.id) && s.status === 500));
    expect(await cashOf(h, playerId)).toBe(0n);
    h.switchable.down = false;
    await credited(started.payment.id);
    await h.stripe.idle();
    expect(await cashOf(h, playerId)).toBe(1500n);
    expect(await countWalletTransactions(h, playerId)).toBe(1);
  });
});

describe("notification timing for Prometheus", () => {
  it("observes every notification and the accepted ones on /metrics", async () => {
    const count = async (name: string) => {
      const text = await (await fetch(h.payments.url.replace(/\/graphql$/, "/metrics"))).text();
      const line = text.split("\n").find((l) => l.startsWith(`${name}_count`));
      return Number(line?.split(" ")[1] ?? "NaN");
    };
    const allBefore = await count("payments_psp_notification_seconds");
    const acceptedBefore = await count("payments_psp_notification_accepted_seconds");
    const playerId = await playerWithWallet(h);
    const started = (await startDeposit(playerId, "12.00")).data!.startDeposit;
    await credited(started.payment.id);
    // A forged notification is timed too, but not as accepted.
    const forged = await fetch(h.notificationUrl("stripe"), { method: "POST", headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=00" }, body: "{}" });
    expect(forged.status).toBe(400);
    expect(await count("payments_psp_notification_accepted_seconds")).toBeGreaterThan(acceptedBefore);
    expect(await count("payments_psp_notification_seconds")).toBeGreaterThan((await count("payments_psp_notification_accepted_seconds")) - acceptedBefore + allBefore);
  });
});

