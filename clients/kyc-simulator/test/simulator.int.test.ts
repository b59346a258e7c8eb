import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, type VerificationCallback } from "../src/protocol.ts";
import { KycSimulator } from "../src/simulator.ts";

const SECRET = "s".repeat(40);

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A callback receiver answering with the statuses given, one per request, then 200. */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/kyc/simulator`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const validRequest = (callbackUrl: string, lastName = "Smith") => ({
  clientReference: "11111111-2222-4333-8444-555555555555",
  callbackUrl,
  person: {
    firstName: "Ann",
    lastName,
    dateOfBirth: "1990-04-23",
    address: { line1: "1 High Street", line2: null, city: "London", postcode: "SW1A 1AA", country: "GB" },
  },
  documents: [{ type: "PASSPORT", issuingCountry: "GB", expiresOn: "2099-01-01", numberLast4: "6789" }],
});

describe("the KYC simulator over HTTP", () => {
  let simulator: KycSimulator;
  let baseUrl: string;
  afterEach(async () => {
    await simulator.close();
  });

  it("answers 202 with a reference, then POSTs a callback signed over timestamp and raw body", async () => {
    const target = await receiver([]);
    simulator = new KycSimulator({ secret: SECRET, callbackDelayMs: 0 });
    baseUrl = await simulator.listen(0, "127.0.0.1");
    const res = await fetch(`${baseUrl}/verifications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(validRequest(target.url, "Refer")),
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { providerReference: string; status: string };
    expect(accepted).toEqual({ providerReference: expect.stringMatching(/^sim_/), status: "PENDING" });
    await simulator.idle();
    await target.close();

    expect(target.received).toHaveLength(1);
    const [callback] = target.received as [Received];
    const timestamp = String(callback.headers[TIMESTAMP_HEADER]);
    const expected = createHmac("sha256", SECRET).update(`${timestamp}.${callback.body}`).digest("hex");
    expect(callback.headers[SIGNATURE_HEADER]).toBe(expected);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    expect(JSON.parse(callback.body) as VerificationCallback).toMatchObject({
      providerReference: accepted.providerReference,
      clientReference: "11111111-2222-4333-8444-555555555555",
      result: "REFER",
      reasons: ["MANUAL_REVIEW_REQUESTED"],
    });
  });

  it("retries the callback until it gets a 2xx answer", async () => {
    const target = await receiver([500, 503, 404]);
    simulator = new KycSimulator({ secret: SECRET, callbackDelayMs: 0, retryDelayMs: 5 });
    const { providerReference } = simulator.requestVerification(validRequest(target.url));
    await simulator.idle();
    await target.close();
    expect(target.received).toHaveLength(4);
    expect(simulator.sentCallback(providerReference)).toMatchObject({ attempts: 4, status: 200, delivered: true });
  });

  it("gives up after maxAttempts when configured", async () => {
    const target = await receiver([500, 500, 500, 500]);
    simulator = new KycSimulator({ secret: SECRET, callbackDelayMs: 0, retryDelayMs: 5, maxAttempts: 2 });
    const { providerReference } = simulator.requestVerification(validRequest(target.url));
    await simulator.idle();
    await target.close();
    expect(target.received).toHaveLength(2);
    expect(simulator.sentCallback(providerReference)).toMatchObject({ attempts: 2, status: 500, delivered: false });
  });

  it("refuses a malformed request with 400 naming the field, and sends nothing", async () => {
    const target = await receiver([]);
    simulator = new KycSimulator({ secret: SECRET, callbackDelayMs: 0 });
    baseUrl = await simulator.listen(0, "127.0.0.1");
    const bad = validRequest(target.url);
    bad.person.dateOfBirth = "23/04/1990";
    const res = await fetch(`${baseUrl}/verifications`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bad) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field: "person.dateOfBirth" } });
    await simulator.idle();
    await target.close();
    expect(target.received).toHaveLength(0);
  });

  it("refuses a secret shorter than 32 characters", () => {
    expect(() => new KycSimulator({ secret: "short" })).toThrow(/at least 32/);
    simulator = new KycSimulator({ secret: SECRET });
  });
});
