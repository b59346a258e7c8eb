import { generateKeyPairSync, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { NuveiSimulator, StripeSimulator, TrustlySimulator, type PspSimulatorBase } from "@casino/psp-simulators";
import { NuveiAdapter } from "../../src/psp/nuvei/adapter.ts";
import { StripeAdapter } from "../../src/psp/stripe/adapter.ts";
import { TrustlyAdapter } from "../../src/psp/trustly/adapter.ts";
import { PspUnavailableError, type PspAdapter, type PspEvent } from "../../src/psp/types.ts";

/**
 * Each adapter against its simulator over HTTP: the adapter's requests are accepted, the
 * simulator's notifications verify, and the adapter's acknowledgements stop the resending.
 */
const fast = { notificationDelayMs: 5, retryDelayMs: 10, maxRetryDelayMs: 40, hangMs: 2_000 };
const merchantKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = (k: { export(o: { type: "spki" | "pkcs8"; format: "pem" }): string | Buffer }, type: "spki" | "pkcs8") => String(k.export({ type, format: "pem" }));

/** A notification endpoint that answers exactly what the adapter says. */
async function endpoint(adapter: PspAdapter) {
  const events: PspEvent[] = [];
  const rejected: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
      const verdict = adapter.verifyNotification({ headers, rawBody: Buffer.concat(chunks) }, new Date());
      const answer = verdict.outcome === "EVENT" ? verdict.answer("ACCEPTED") : verdict.answer;
      if (verdict.outcome === "EVENT") events.push(verdict.event);
      if (verdict.outcome === "REJECTED") rejected.push(verdict.reason);
      res.writeHead(answer.status, { "content-type": answer.contentType }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/psp`, events, rejected, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface Pair {
  name: string;
  simulator: PspSimulatorBase;
  adapter: PspAdapter;
  configureWebhook?: (url: string) => void;
}

async function pairs(): Promise<Pair[]> {
  const stripeSim = new StripeSimulator({ apiKey: "sk_test_pair", webhookSecrets: ["whsec_pair_secret_0123456789abcdef"], ...fast });
  const stripeUrl = await stripeSim.listen();
  const nuveiSim = new NuveiSimulator({ merchantId: "m-1", merchantSiteId: "s-1", secretKey: "nuvei-pair-secret", ...fast });
  const nuveiUrl = await nuveiSim.listen();
  const trustlySim = new TrustlySimulator({ username: "u", password: "p", merchantPublicKey: pem(merchantKeys.publicKey, "spki"), ...fast });
  const trustlyUrl = await trustlySim.listen();
  return [
    {
      name: "stripe",
      simulator: stripeSim,
      adapter: new StripeAdapter({ apiUrl: stripeUrl, apiKey: "sk_test_pair", webhookSecrets: ["whsec_pair_secret_0123456789abcdef"], toleranceSeconds: 300, timeoutMs: 500 }),
      configureWebhook: (url) => (stripeSim.webhookUrl = url),
    },
    { name: "nuvei", simulator: nuveiSim, adapter: new NuveiAdapter({ apiUrl: nuveiUrl, merchantId: "m-1", merchantSiteId: "s-1", secretKey: "nuvei-pair-secret", timeoutMs: 500 }) },
    {
      name: "trustly",
      simulator: trustlySim,
      adapter: new TrustlyAdapter({ apiUrl: trustlyUrl, username: "u", password: "p", merchantPrivateKey: pem(merchantKeys.privateKey, "pkcs8"), trustlyPublicKey: trustlySim.trustlyPublicKey, timeoutMs: 500 }),
    },
  ];
}

let all: Pair[];
beforeAll(async () => {
  all = await pairs();
});
afterAll(async () => {
  await Promise.all(all.map((p) => p.simulator.close()));
});

const deposit = (merchantReference: string, amountMinor: bigint, notificationUrl: string) => ({
  kind: "DEPOSIT" as const,
  merchantReference,
  playerId: randomUUID(),
  amountMinor,
  currency: "EUR",
  country: "GB",
  idempotencyKey: merchantReference,
  notificationUrl,
});

describe.each(["stripe", "nuvei", "trustly"])("%s adapter with its simulator", (name) => {
  const pair = () => all.find((p) => p.name === name)!;

  it("initiates a deposit and turns the simulator's notifications into a pending then a succeeded event, each acknowledged", async () => {
    const { adapter, simulator, configureWebhook } = pair();
    const receiver = await endpoint(adapter);
    configureWebhook?.(receiver.url);
    const reference = randomUUID();
    const started = await adapter.initiate(deposit(reference, 2500n, receiver.url));
    expect(started.status).toBe("PENDING");
    await simulator.idle();
    const mine = receiver.events.filter((e) => e.merchantReference === reference);
    expect(mine.map((e) => e.status).sort()).toEqual(["PENDING", "SUCCEEDED"]);
    expect(mine.every((e) => e.kind === "DEPOSIT" && e.pspReference === started.pspReference)).toBe(true);
    expect(mine.find((e) => e.status === "SUCCEEDED")).toMatchObject({ amountMinor: 2500n, currency: "EUR" });
    expect(receiver.rejected).toEqual([]);
    expect(simulator.sent.every((s) => s.acknowledged && s.attempts === 1)).toBe(true);
    await receiver.close();
  });

  it("reports a later decline as a FAILED event", async () => {
    const { adapter, simulator, configureWebhook } = pair();
    const receiver = await endpoint(adapter);
    configureWebhook?.(receiver.url);
    const reference = randomUUID();
    await adapter.initiate(deposit(reference, 1013n, receiver.url));
    await simulator.idle();
    expect(receiver.events.filter((e) => e.merchantReference === reference).map((e) => e.status)).toContain("FAILED");
    await receiver.close();
  });

  it("throws PspUnavailableError during an outage and when the PSP does not answer in time", async () => {
    const { adapter, simulator } = pair();
    simulator.mode = "outage";
    await expect(adapter.initiate(deposit(randomUUID(), 100n, "http://127.0.0.1:9/none"))).rejects.toBeInstanceOf(PspUnavailableError);
    simulator.mode = "timeout";
    await expect(adapter.initiate(deposit(randomUUID(), 100n, "http://127.0.0.1:9/none"))).rejects.toBeInstanceOf(PspUnavailableError);
    simulator.mode = "normal";
  });
});

describe("declines in the API answer", () => {
  it.each(["stripe", "nuvei"])("%s: an immediate decline is a FAILED initiation with a reason", async (name) => {
    const { adapter } = all.find((p) => p.name === name)!;
    const started = await adapter.initiate(deposit(randomUUID(), 1014n, "http://127.0.0.1:9/none"));
    expect(started.status).toBe("FAILED");
    expect(started.declineReason).toEqual(expect.any(String));
  });
});
