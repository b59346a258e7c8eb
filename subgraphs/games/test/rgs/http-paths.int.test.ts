/**
 * The two ways a callback reaches its adapter (http.ts): the kernel fast route for the common
 * request, and the express route for everything else (chunked or compressed bodies, encoded paths,
 * bodies over the limit, unknown providers, other methods). Both must answer alike.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { gzipSync } from "node:zlib";
import type { Hub88Simulator } from "@casino/rgs-simulator";
import { startHub88Platform, type RgsPlatform } from "./support/platform.ts";

let p: RgsPlatform;
let sim: Hub88Simulator;
let stop: () => Promise<void>;

beforeAll(async () => ({ p, sim, stop } = await startHub88Platform()));
afterAll(() => stop());

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request to the games service: `chunked` sends the body without a Content-Length. */
function send(method: string, path: string, body: Buffer, headers: Record<string, string>, chunked = false): Promise<Answer> {
  const url = new URL(p.rgsUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers: { "content-type": "application/json", ...headers, ...(chunked ? {} : { "content-length": String(body.length) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (chunked) {
      req.write(body.subarray(0, 10));
      req.end(body.subarray(10));
    } else {
      req.end(body);
    }
  });
}

async function betRequest() {
  const user = await p.fundedPlayer(10_000n);
  const token = await p.session(p.hub88, user);
  const raw = JSON.stringify({
    user,
    token,
    request_uuid: randomUUID(),
    transaction_uuid: randomUUID(),
    round: `r-${randomUUID()}`,
    game_code: p.hub88.gameCode,
    currency: "GBP",
    amount: 250_000,
  });
  return { raw, signature: sim.sign(raw) };
}

function signedAnswer(a: Answer): { status?: string; balance?: number } {
  expect(a.status).toBe(200);
  expect(a.headers["content-type"]).toBe("application/json; charset=utf-8");
  const sig = a.headers["x-hub88-signature"];
  expect(typeof sig).toBe("string");
  return JSON.parse(a.body) as { status?: string; balance?: number };
}

describe("fast path and express route", () => {
  it("answer a bet and its replay alike, whichever way each came in", async () => {
    const bet = await betRequest();
    const fast = await send("POST", "/rgs/hub88/transaction/bet", Buffer.from(bet.raw), { "x-hub88-signature": bet.signature });
    // Chunked: no Content-Length, so the fast path declines and express reads it.
    const viaExpress = await send("POST", "/rgs/hub88/transaction/bet", Buffer.from(bet.raw), { "x-hub88-signature": bet.signature }, true);
    expect(signedAnswer(fast)).toMatchObject({ status: "RS_OK", balance: 9_750_000 });
    expect(viaExpress.body).toBe(fast.body);
    expect(viaExpress.headers["x-hub88-signature"]).toBe(fast.headers["x-hub88-signature"]);
    const names = (a: Answer) => Object.keys(a.headers).sort();
    expect(names(viaExpress)).toEqual(names(fast));

    const other = await betRequest();
    const first = await send("POST", "/rgs/hub88/transaction/bet", Buffer.from(other.raw), { "x-hub88-signature": other.signature }, true);
    const replay = await send("POST", "/rgs/hub88/transaction/bet", Buffer.from(other.raw), { "x-hub88-signature": other.signature });
    expect(signedAnswer(first).status).toBe("RS_OK");
    expect(replay.body).toBe(first.body);
  });

  it("verifies the signature on both ways in", async () => {
    const bet = await betRequest();
    const forged = sim.sign(bet.raw.replace("250000", "1000"));
    for (const chunked of [false, true]) {
      const a = await send("POST", "/rgs/hub88/transaction/bet", Buffer.from(bet.raw), { "x-hub88-signature": forged }, chunked);
      expect(signedAnswer(a).status).toBe("RS_ERROR_INVALID_SIGNATURE");
    }
  });

  it("leaves compressed bodies and encoded paths to express, which still serves them", async () => {
    const bet = await betRequest();
    const gz = await send("POST", "/rgs/hub88/transaction/bet", gzipSync(bet.raw), { "x-hub88-signature": bet.signature, "content-encoding": "gzip" });
    expect(signedAnswer(gz).status).toBe("RS_OK");
    const other = await betRequest();
    const encoded = await send("POST", "/rgs/hub%38%38/transaction/bet?x=1", Buffer.from(other.raw), { "x-hub88-signature": other.signature });
    expect(signedAnswer(encoded).status).toBe("RS_OK");
  });

  it("answers unknown providers, other methods and bodies over the limit as express does", async () => {
    const unknown = await send("POST", "/rgs/no-such-provider/transaction/bet", Buffer.from("{}"), {});
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ error: "unknown RGS provider" });
    const get = await send("GET", "/rgs/hub88/transaction/bet", Buffer.alloc(0), {});
    expect(get.status).toBe(404);
    const big = await send("POST", "/rgs/hub88/transaction/bet", Buffer.alloc(64 * 1024 + 1, 0x20), {});
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ error: "the body is larger than 64kb" });
    const atLimit = await send("POST", "/rgs/hub88/transaction/bet", Buffer.alloc(64 * 1024, 0x20), {});
    expect(signedAnswer(atLimit).status).toBe("RS_ERROR_INVALID_SIGNATURE");
  });

  it("serves plain callbacks on the fast route: its 404 is its own (express's res.json would add an ETag)", async () => {
    const plain = await send("POST", "/rgs/no-such-provider/transaction/bet", Buffer.from("{}"), {});
    const chunked = await send("POST", "/rgs/no-such-provider/transaction/bet", Buffer.from("{}"), {}, true);
    expect([plain.status, chunked.status]).toEqual([404, 404]);
    expect(plain.body).toBe(chunked.body);
    expect(plain.headers.etag).toBeUndefined();
    expect(chunked.headers.etag).toEqual(expect.any(String));
  });

  it("labels fast-path callbacks in the access metrics as the express route", async () => {
    const count = async () => {
      const text = await (await fetch(p.rgsUrl.replace(/\/rgs$/, "/metrics"))).text();
      const line = text.split("\n").find((l) => l.startsWith("http_request_duration_seconds_count{") && l.includes('method="POST"') && l.includes('route="/:provider/*endpoint"') && l.includes('status="200"'));
      return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
    };
    const before = await count();
    const bet = await betRequest();
    await send("POST", "/rgs/hub88/transaction/bet", Buffer.from(bet.raw), { "x-hub88-signature": bet.signature });
    expect(await count()).toBe(before + 1);
  });
});
