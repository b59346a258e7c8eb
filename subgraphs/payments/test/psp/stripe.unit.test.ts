import Stripe from "stripe";
import { StripeAdapter } from "../../src/psp/stripe/adapter.ts";
import { checkStripeSignature } from "../../src/psp/stripe/signature.ts";

// The official library signs the test headers, so the adapter is checked against Stripe's own code.
const stripe = new Stripe("sk_test_unit");
const SECRET = "whsec_unit_current_secret_0123456789";
const OLD_SECRET = "whsec_unit_previous_secret_987654321";
const NOW = new Date("2026-11-29T12:00:00.000Z");
const nowSeconds = Math.floor(NOW.getTime() / 1000);

const adapter = (secrets: string[] = [SECRET]) =>
  new StripeAdapter({ apiUrl: "http://stripe.invalid", apiKey: "sk_test_unit", webhookSecrets: secrets, toleranceSeconds: 300, timeoutMs: 1000 });

function event(type: string, object: Record<string, unknown>, id = "evt_1") {
  return JSON.stringify({ id, object: "event", type, created: nowSeconds, data: { object } });
}
const intent = (overrides: Record<string, unknown> = {}) => ({
  id: "pi_123",
  object: "payment_intent",
  amount: 1250,
  currency: "gbp",
  metadata: { merchant_reference: "8a4f7a2e-4a0b-4b8e-9a53-7e1d0c1f2a3b" },
  ...overrides,
});

function signed(payload: string, secret = SECRET, timestamp = nowSeconds) {
  const header = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  return { headers: { "stripe-signature": header }, rawBody: Buffer.from(payload) };
}

describe("Stripe-Signature verification", () => {
  it("accepts a header made by Stripe's library and yields the normalised event", () => {
    const verdict = adapter().verifyNotification(signed(event("payment_intent.succeeded", intent())), NOW);
    expect(verdict.outcome).toBe("EVENT");
    if (verdict.outcome !== "EVENT") throw new Error("unreachable");
    expect(verdict.event).toMatchObject({
      psp: "stripe",
      notificationId: "evt_1",
      pspReference: "pi_123",
      merchantReference: "8a4f7a2e-4a0b-4b8e-9a53-7e1d0c1f2a3b",
      kind: "DEPOSIT",
      status: "SUCCEEDED",
      amountMinor: 1250n,
      currency: "GBP",
      reason: undefined,
    });
    expect(verdict.answer("ACCEPTED")).toEqual({ status: 200, contentType: "application/json", body: '{"received":true}' });
    expect(verdict.answer("RETRY").status).toBe(500);
  });

  it("accepts any of several v1 signatures while a secret is rolled, on either side", () => {
    const payload = event("payment_intent.succeeded", intent());
    const withOld = stripe.webhooks.generateTestHeaderString({ payload, secret: OLD_SECRET, timestamp: nowSeconds });
    const withNew = stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: nowSeconds });
    const header = `${withOld},${withNew.split(",")[1]}`;
    const body = Buffer.from(payload);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(checkStripeSignature(header, body, [SECRET], NOW)).toBe("VALID");
    expect(checkStripeSignature(header, body, [OLD_SECRET], NOW)).toBe("VALID");
    expect(checkStripeSignature(withOld, body, [SECRET, OLD_SECRET], NOW)).toBe("VALID");
    expect(checkStripeSignature(withOld, body, [SECRET], NOW)).toBe("BAD_SIGNATURE");
  });

  it("refuses a wrong secret or a changed body with 400 and no event", () => {
    const payload = event("payment_intent.succeeded", intent());
    const wrongSecret = adapter().verifyNotification(signed(payload, "whsec_someone_else"), NOW);
    expect(wrongSecret).toMatchObject({ outcome: "REJECTED", reason: "BAD_SIGNATURE", answer: { status: 400 } });
    const { headers } = signed(payload);
    const tampered = adapter().verifyNotification({ headers, rawBody: Buffer.from(payload.replace("1250", "125000")) }, NOW);
    expect(tampered).toMatchObject({ outcome: "REJECTED", reason: "BAD_SIGNATURE", answer: { status: 400 } });
  });

  it("applies the 300 s tolerance to the signed timestamp", () => {
    const payload = event("payment_intent.succeeded", intent());
    expect(adapter().verifyNotification(signed(payload, SECRET, nowSeconds - 300), NOW).outcome).toBe("EVENT");
    expect(adapter().verifyNotification(signed(payload, SECRET, nowSeconds - 301), NOW)).toMatchObject({ outcome: "REJECTED", reason: "OUTSIDE_TOLERANCE", answer: { status: 400 } });
  });

  it.each([
    ["no header", undefined],
    ["no timestamp", "v1=" + "a".repeat(64)],
    ["no v1 (only the v0 test scheme)", `t=${nowSeconds},v0=${"a".repeat(64)}`],
    ["a v1 that is not a SHA-256 digest", `t=${nowSeconds},v1=abc`],
    ["garbage", "not a signature"],
  ])("refuses %s", (_case, header) => {
    const verdict = adapter().verifyNotification({ headers: { "stripe-signature": header }, rawBody: Buffer.from(event("payment_intent.succeeded", intent())) }, NOW);
    expect(verdict).toMatchObject({ outcome: "REJECTED", reason: "MISSING_SIGNATURE", answer: { status: 400 } });
  });

  it("refuses a signed body that is not an event", () => {
    expect(adapter().verifyNotification(signed("[1,2,3]"), NOW)).toMatchObject({ outcome: "REJECTED", reason: "MALFORMED", answer: { status: 400 } });
  });
});

describe("Stripe events", () => {
  it("acknowledges event types the platform does not act on, and payments that are not ours", () => {
    const other = adapter().verifyNotification(signed(event("customer.created", { id: "cus_1" }, "evt_2")), NOW);
    expect(other).toMatchObject({ outcome: "IGNORED", notificationId: "evt_2", pspType: "customer.created", answer: { status: 200 } });
    const notOurs = adapter().verifyNotification(signed(event("payment_intent.succeeded", intent({ metadata: {} }), "evt_3")), NOW);
    expect(notOurs).toMatchObject({ outcome: "IGNORED", notificationId: "evt_3", answer: { status: 200 } });
  });

  it("reads a decline with its reason, a zero-decimal currency and a payout", () => {
    const failed = adapter().verifyNotification(
      signed(event("payment_intent.payment_failed", intent({ last_payment_error: { code: "card_declined", decline_code: "insufficient_funds" } }))),
      NOW,
    );
    expect(failed).toMatchObject({ outcome: "EVENT", event: { status: "FAILED", reason: "insufficient_funds" } });
    const yen = adapter().verifyNotification(signed(event("payment_intent.processing", intent({ amount: 5000, currency: "jpy" }))), NOW);
    expect(yen).toMatchObject({ outcome: "EVENT", event: { status: "PENDING", amountMinor: 5000n, currency: "JPY" } });
    const payout = adapter().verifyNotification(signed(event("payout.paid", { ...intent(), id: "po_1", object: "payout" })), NOW);
    expect(payout).toMatchObject({ outcome: "EVENT", event: { kind: "PAYOUT", status: "SUCCEEDED", pspReference: "po_1" } });
  });

  it("never reads a fractional or unsafe amount", () => {
    const fractional = adapter().verifyNotification(signed(event("payment_intent.succeeded", intent({ amount: 12.5 }))), NOW);
    expect(fractional.outcome).toBe("IGNORED");
    const huge = adapter().verifyNotification(signed(event("payment_intent.succeeded", intent({ amount: 2 ** 60 }))), NOW);
    expect(huge.outcome).toBe("IGNORED");
  });
});
