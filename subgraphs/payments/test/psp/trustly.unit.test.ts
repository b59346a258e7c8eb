import { createSign, createVerify, generateKeyPairSync } from "node:crypto";
import { TrustlyAdapter } from "../../src/psp/trustly/adapter.ts";
import { serializeTrustlyData } from "../../src/psp/trustly/signature.ts";

const trustly = generateKeyPairSync("rsa", { modulusLength: 2048 });
const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (k: { export(o: { type: "spki" | "pkcs8"; format: "pem" }): string | Buffer }, type: "spki" | "pkcs8") => String(k.export({ type, format: "pem" }));
const NOW = new Date("2026-11-29T12:00:00.000Z");
const adapter = new TrustlyAdapter({
  apiUrl: "http://trustly.invalid",
  username: "merchant",
  password: "secret",
  merchantPrivateKey: pem(merchant.privateKey, "pkcs8"),
  trustlyPublicKey: pem(trustly.publicKey, "spki"),
  timeoutMs: 1000,
});

/** Signs as Trustly documents it: base64 RSA-SHA1 over method + uuid + serialised data. */
const sign = (key: typeof trustly.privateKey, method: string, uuid: string, data: unknown) =>
  createSign("RSA-SHA1").update(method + uuid + serializeTrustlyData(data)).sign(key, "base64");

function notification(method: string, data: Record<string, unknown>, key = trustly.privateKey) {
  const uuid = "258a2184-2842-b485-25ca-293525152425";
  const body = { method, params: { signature: sign(key, method, uuid, data), uuid, data }, version: "1.1" };
  return { headers: { "content-type": "application/json" }, rawBody: Buffer.from(JSON.stringify(body)) };
}
const credit = (overrides: Record<string, unknown> = {}) => ({
  amount: "902.50",
  currency: "EUR",
  messageid: "dep:8a4f7a2e-4a0b-4b8e-9a53-7e1d0c1f2a3b",
  orderid: "87654567",
  enduserid: "32123",
  notificationid: "9876543456",
  timestamp: "2010-01-20 14:42:04.675645+01",
  attributes: {},
  ...overrides,
});

describe("Trustly serialisation", () => {
  it("concatenates keys and values sorted at every level, lists in order, null as empty", () => {
    expect(serializeTrustlyData({ b: "2", a: { d: null, c: ["x", "y"] }, e: 5 })).toBe("acxydb2e5");
  });
});

describe("Trustly notifications", () => {
  it("verifies Trustly's signature and answers with our own signed JSON-RPC OK for the same uuid and method", () => {
    const verdict = adapter.verifyNotification(notification("credit", credit()), NOW);
    expect(verdict).toMatchObject({
      outcome: "EVENT",
      event: { psp: "trustly", notificationId: "9876543456", pspReference: "87654567", merchantReference: "8a4f7a2e-4a0b-4b8e-9a53-7e1d0c1f2a3b", kind: "DEPOSIT", status: "SUCCEEDED", amountMinor: 90250n, currency: "EUR" },
    });
    if (verdict.outcome !== "EVENT") throw new Error("unreachable");
    const answer = verdict.answer("ACCEPTED");
    expect(answer.status).toBe(200);
    const { result, version } = JSON.parse(answer.body);
    expect(version).toBe("1.1");
    expect(result).toMatchObject({ uuid: "258a2184-2842-b485-25ca-293525152425", method: "credit", data: { status: "OK" } });
    const verified = createVerify("RSA-SHA1").update(`credit${result.uuid}statusOK`).verify(merchant.publicKey, result.signature, "base64");
    expect(verified).toBe(true);
    expect(verdict.answer("RETRY").status).toBe(500);
  });

  it("means opposite things for deposits and payouts, and reads a cancel without an amount", () => {
    expect(adapter.verifyNotification(notification("pending", credit()), NOW)).toMatchObject({ event: { status: "PENDING" } });
    expect(adapter.verifyNotification(notification("debit", credit()), NOW)).toMatchObject({ event: { kind: "DEPOSIT", status: "REVERSED" } });
    expect(adapter.verifyNotification(notification("debit", credit({ messageid: "pay:abc" })), NOW)).toMatchObject({ event: { kind: "PAYOUT", status: "SUCCEEDED", merchantReference: "abc" } });
    const cancel = adapter.verifyNotification(notification("cancel", { orderid: "87654567", messageid: "dep:abc", notificationid: "77", attributes: { reason: "" } }), NOW);
    expect(cancel).toMatchObject({ outcome: "EVENT", event: { status: "FAILED", amountMinor: undefined, currency: undefined } });
  });

  it("refuses a notification signed with another key, or changed after signing, with a JSON-RPC error", () => {
    const forged = adapter.verifyNotification(notification("credit", credit(), merchant.privateKey), NOW);
    expect(forged).toMatchObject({ outcome: "REJECTED", reason: "BAD_SIGNATURE", answer: { status: 400 } });
    expect(JSON.parse((forged as { answer: { body: string } }).answer.body).error.message).toBe("ERROR_UNABLE_TO_VERIFY_RSA_SIGNATURE");
    const original = JSON.parse(notification("credit", credit()).rawBody.toString());
    original.params.data.amount = "90250.00";
    expect(adapter.verifyNotification({ headers: {}, rawBody: Buffer.from(JSON.stringify(original)) }, NOW)).toMatchObject({ outcome: "REJECTED", reason: "BAD_SIGNATURE" });
    expect(adapter.verifyNotification({ headers: {}, rawBody: Buffer.from("{") }, NOW)).toMatchObject({ outcome: "REJECTED", reason: "MALFORMED", answer: { status: 400 } });
  });

  it("acknowledges with a signed OK what it does not act on: other methods and orders that are not ours", () => {
    const account = adapter.verifyNotification(notification("account", { orderid: "1", messageid: "dep:x", notificationid: "n-1", accountid: "a" }), NOW);
    expect(account).toMatchObject({ outcome: "IGNORED", notificationId: "n-1", answer: { status: 200 } });
    expect(adapter.verifyNotification(notification("credit", credit({ messageid: "someone-else" })), NOW)).toMatchObject({ outcome: "IGNORED" });
    expect(adapter.verifyNotification(notification("credit", credit({ amount: "9.999" })), NOW)).toMatchObject({ outcome: "IGNORED" });
  });
});
