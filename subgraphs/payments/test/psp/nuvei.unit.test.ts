import { createHash } from "node:crypto";
import { NuveiAdapter } from "../../src/psp/nuvei/adapter.ts";

const SECRET = "nuvei-unit-secret-key-0123456789abcdef";
const NOW = new Date("2026-11-29T12:00:00.000Z");
const adapter = new NuveiAdapter({ apiUrl: "http://nuvei.invalid", merchantId: "m1", merchantSiteId: "s1", secretKey: SECRET, timeoutMs: 1000 });

/** Written out here from the published formula, independently of the adapter's checksum module. */
const checksumOf = (f: Record<string, string>, secret = SECRET) =>
  createHash("sha256").update(`${secret}${f.totalAmount}${f.currency}${f.responseTimeStamp}${f.PPP_TransactionID}${f.Status}${f.productId}`).digest("hex");

function dmn(overrides: Record<string, string> = {}, secret = SECRET): Record<string, string> {
  const fields: Record<string, string> = {
    ppp_status: "OK",
    Status: "APPROVED",
    totalAmount: "12.50",
    currency: "GBP",
    responseTimeStamp: "2026-11-29.12:00:00",
    PPP_TransactionID: "547384",
    TransactionID: "1110000000004146935",
    productId: "deposit",
    clientUniqueId: "8a4f7a2e-4a0b-4b8e-9a53-7e1d0c1f2a3b",
    transactionType: "Sale",
    ...overrides,
  };
  return { ...fields, advanceResponseChecksum: checksumOf(fields, secret) };
}
const form = (fields: Record<string, string>) => ({ headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: Buffer.from(new URLSearchParams(fields).toString()) });

describe("Nuvei DMN", () => {
  it("verifies advanceResponseChecksum and reads the decimal amount exactly", () => {
    const verdict = adapter.verifyNotification(form(dmn()), NOW);
    expect(verdict).toMatchObject({
      outcome: "EVENT",
      event: {
        psp: "nuvei",
        notificationId: "547384:1110000000004146935:APPROVED",
        pspReference: "1110000000004146935",
        merchantReference: "8a4f7a2e-4a0b-4b8e-9a53-7e1d0c1f2a3b",
        kind: "DEPOSIT",
        status: "SUCCEEDED",
        amountMinor: 1250n,
        currency: "GBP",
      },
    });
    if (verdict.outcome !== "EVENT") throw new Error("unreachable");
    expect(verdict.answer("ACCEPTED")).toEqual({ status: 200, contentType: "text/plain; charset=utf-8", body: "OK" });
    expect(verdict.answer("RETRY").status).toBe(500);
  });

  it("maps declines, pending and payouts, with exact amounts in 0- and 3-decimal currencies", () => {
    expect(adapter.verifyNotification(form(dmn({ Status: "DECLINED", Reason: "Insufficient funds" })), NOW)).toMatchObject({ outcome: "EVENT", event: { status: "FAILED", reason: "Insufficient funds" } });
    expect(adapter.verifyNotification(form(dmn({ Status: "PENDING" })), NOW)).toMatchObject({ outcome: "EVENT", event: { status: "PENDING" } });
    expect(adapter.verifyNotification(form(dmn({ transactionType: "Payout" })), NOW)).toMatchObject({ outcome: "EVENT", event: { kind: "PAYOUT" } });
    expect(adapter.verifyNotification(form(dmn({ totalAmount: "1500", currency: "JPY" })), NOW)).toMatchObject({ event: { amountMinor: 1500n } });
    expect(adapter.verifyNotification(form(dmn({ totalAmount: "1.005", currency: "KWD" })), NOW)).toMatchObject({ event: { amountMinor: 1005n } });
    expect(adapter.verifyNotification(form(dmn({ totalAmount: "0.1", currency: "EUR" })), NOW)).toMatchObject({ event: { amountMinor: 10n } });
  });

  it("refuses a wrong checksum, a changed amount and a missing checksum with 400", () => {
    expect(adapter.verifyNotification(form(dmn({}, "another-secret")), NOW)).toMatchObject({ outcome: "REJECTED", reason: "BAD_SIGNATURE", answer: { status: 400 } });
    const tampered = { ...dmn(), totalAmount: "1250.00" };
    expect(adapter.verifyNotification(form(tampered), NOW)).toMatchObject({ outcome: "REJECTED", reason: "BAD_SIGNATURE", answer: { status: 400 } });
    const { advanceResponseChecksum: _removed, ...unsigned } = dmn();
    expect(adapter.verifyNotification(form(unsigned), NOW)).toMatchObject({ outcome: "REJECTED", reason: "MISSING_SIGNATURE", answer: { status: 400 } });
    expect(adapter.verifyNotification({ headers: {}, rawBody: Buffer.from("%%%") }, NOW)).toMatchObject({ outcome: "REJECTED", answer: { status: 400 } });
  });

  it("acknowledges and sets aside transaction types it does not act on, and amounts it cannot read exactly", () => {
    expect(adapter.verifyNotification(form(dmn({ transactionType: "Chargeback" })), NOW)).toMatchObject({ outcome: "IGNORED", answer: { status: 200, body: "OK" } });
    expect(adapter.verifyNotification(form(dmn({ totalAmount: "12.505" })), NOW)).toMatchObject({ outcome: "IGNORED", answer: { status: 200 } });
    expect(adapter.verifyNotification(form(dmn({ totalAmount: "1e3" })), NOW)).toMatchObject({ outcome: "IGNORED" });
  });
});
