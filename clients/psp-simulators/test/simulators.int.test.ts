import { createHash, createPrivateKey, createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { NuveiSimulator, StripeSimulator, TrustlySimulator, serializeTrustlyData } from "../src/index.ts";

const stripeLib = new Stripe("sk_test_sim");
const fast = { notificationDelayMs: 5, retryDelayMs: 10, maxRetryDelayMs: 40 };

/** A merchant endpoint that refuses the first `refuse` deliveries of each notification id, then answers `answer`. */
async function receiver(answer: (body: string) => { status: number; body: string }, refuse = 0) {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const refusedSoFar = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      const n = refusedSoFar.get(body) ?? 0;
      if (n < refuse) {
        refusedSoFar.set(body, n + 1);
        res.writeHead(500).end("not now");
        return;
      }
      const a = answer(body);
      res.writeHead(a.status, { "content-type": "application/json" }).end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form).toString() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("Stripe simulator", () => {
  const secret = "whsec_simulator_test_secret_012345";
  let sim: StripeSimulator;
  let base: string;
  beforeEach(async () => {
    sim = new StripeSimulator({ apiKey: "sk_test_sim", webhookSecrets: [secret], ...fast });
    base = await sim.listen();
  });
  afterEach(() => sim.close());
  const create = (amount: string, key = randomUUID()) => postForm(`${base}/v1/payment_intents`, { amount, currency: "gbp", "metadata[merchant_reference]": "ref-1" }, { authorization: "Bearer sk_test_sim", "idempotency-key": key });

  it("signs webhooks so that Stripe's own library accepts them, and resends until a 2xx", async () => {
    const merchant = await receiver(() => ({ status: 200, body: "{}" }), 2);
    sim.webhookUrl = merchant.url;
    const created = await create("1250");
    expect(created).toMatchObject({ status: 200, body: { object: "payment_intent", status: "processing", amount: 1250 } });
    await sim.idle();
    const events = merchant.received.map((r) => stripeLib.webhooks.constructEvent(r.body, String(r.headers["stripe-signature"]), secret));
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["payment_intent.processing", "payment_intent.succeeded"]));
    expect(merchant.received).toHaveLength(6);
    expect(sim.sent.every((s) => s.acknowledged && s.attempts === 3)).toBe(true);
    await merchant.close();
  });

  it("replays an idempotent request, refuses the key with other parameters, declines by amount, and refuses a wrong key", async () => {
    const key = randomUUID();
    const first = await create("500", key);
    expect(await create("500", key)).toEqual(first);
    expect((await create("501", key)).body).toMatchObject({ error: { type: "idempotency_error" } });
    expect(await create("1214")).toMatchObject({ status: 402, body: { error: { type: "card_error", code: "card_declined" } } });
    const unauthorised = await postForm(`${base}/v1/payment_intents`, { amount: "100", currency: "gbp" }, { authorization: "Bearer sk_wrong" });
    expect(unauthorised.status).toBe(401);
  });

  it("fails with 503 during an outage and holds requests in timeout mode", async () => {
    sim.mode = "outage";
    expect((await create("100")).status).toBe(503);
    sim.mode = "timeout";
    await expect(fetch(`${base}/v1/payment_intents`, { method: "POST", signal: AbortSignal.timeout(200) })).rejects.toThrow();
  });
});

describe("Nuvei simulator", () => {
  const secretKey = "nuvei-simulator-secret";
  it("takes a checksummed payment and sends DMNs with advanceResponseChecksum until answered 200", async () => {
    const sim = new NuveiSimulator({ merchantId: "m", merchantSiteId: "s", secretKey, ...fast });
    const base = await sim.listen();
    const merchant = await receiver(() => ({ status: 200, body: "OK" }), 1);
    const request = { merchantId: "m", merchantSiteId: "s", clientRequestId: "r-1", clientUniqueId: "pay-1", amount: "10.13", currency: "EUR", timeStamp: "20261129120000" };
    const { merchantId, merchantSiteId, clientRequestId, amount, currency, timeStamp } = request;
    const checksum = createHash("sha256").update(merchantId + merchantSiteId + clientRequestId + amount + currency + timeStamp + secretKey).digest("hex");
    const res = await fetch(`${base}/ppp/api/v1/payment.do`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...request, checksum, urlDetails: { notificationUrl: merchant.url } }) });
    expect(await res.json()).toMatchObject({ status: "SUCCESS", transactionStatus: "PENDING" });
    const bad = await fetch(`${base}/ppp/api/v1/payment.do`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...request, checksum: "0".repeat(64) }) });
    expect(await bad.json()).toMatchObject({ status: "ERROR", reason: "Invalid checksum" });
    await sim.idle();
    const dmns = merchant.received.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
    expect(dmns.map((d) => d.Status).sort()).toEqual(["DECLINED", "DECLINED", "PENDING", "PENDING"]);
    for (const d of dmns) {
      const expected = createHash("sha256").update(secretKey + d.totalAmount + d.currency + d.responseTimeStamp + d.PPP_TransactionID + d.Status + d.productId).digest("hex");
      expect(d.advanceResponseChecksum).toBe(expected);
    }
    await merchant.close();
    await sim.close();
  });
});

describe("Trustly simulator", () => {
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const merchantKey = createPrivateKey(merchant.privateKey.export({ type: "pkcs8", format: "pem" }));
  const signAsMerchant = (method: string, uuid: string, data: unknown) => createSign("RSA-SHA1").update(method + uuid + serializeTrustlyData(data)).sign(merchantKey, "base64");

  it("resends a notification until the answer is a correctly signed OK for the same uuid and method", async () => {
    const sim = new TrustlySimulator({ username: "u", password: "p", merchantPublicKey: String(merchant.publicKey.export({ type: "spki", format: "pem" })), ...fast });
    const base = await sim.listen();
    let unsignedAnswers = 2;
    const endpoint = await receiver((body) => {
      const { method, params } = JSON.parse(body);
      const data = { status: "OK" };
      // The first answers are not signed: Trustly must not count them as delivered.
      const signature = unsignedAnswers-- > 0 ? "bm90IHNpZ25lZA==" : signAsMerchant(method, params.uuid, data);
      return { status: 200, body: JSON.stringify({ result: { signature, uuid: params.uuid, method, data }, version: "1.1" }) };
    });
    const uuid = randomUUID();
    const data = { Username: "u", Password: "p", NotificationURL: endpoint.url, EndUserID: "player", MessageID: "dep:1", Attributes: { Amount: "20.00", Currency: "EUR" } };
    const res = await fetch(`${base}/api/1`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method: "Deposit", params: { Signature: signAsMerchant("Deposit", uuid, data), UUID: uuid, Data: data }, version: "1.1" }) });
    const answer = (await res.json()) as { result: { signature: string; uuid: string; data: { orderid: string } } };
    expect(answer.result.uuid).toBe(uuid);
    expect(answer.result.signature).toBe(sim.sign("Deposit", uuid, answer.result.data));
    await sim.idle();
    const methods = endpoint.received.map((r) => JSON.parse(r.body).method);
    expect(methods.filter((m) => m === "credit").length).toBeGreaterThanOrEqual(1);
    expect(endpoint.received).toHaveLength(4);
    expect(sim.sent.every((s) => s.acknowledged)).toBe(true);

    const forged = await fetch(`${base}/api/1`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method: "Deposit", params: { Signature: "AAAA", UUID: uuid, Data: data }, version: "1.1" }) });
    expect(await forged.json()).toMatchObject({ error: { code: 636 } });
    await endpoint.close();
    await sim.close();
  });
});
