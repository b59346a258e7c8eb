import { gzipSync } from "node:zlib";
import type { RunningGateway } from "../src/gateway.ts";
import { bearer, post, startTestGateway, tokens, TestLiveChannel, type TestSubgraph } from "./support/harness.ts";
import { playerName, startPlayerSubgraph, startWalletSubgraph } from "./support/subgraphs.ts";

let player: TestSubgraph;
let wallet: TestSubgraph;
let gateway: RunningGateway;

beforeAll(async () => {
  player = await startPlayerSubgraph();
  wallet = await startWalletSubgraph();
  gateway = await startTestGateway([player, wallet], new TestLiveChannel());
});

afterAll(async () => {
  await gateway?.stop();
  await player?.stop();
  await wallet?.stop();
});

function nested(depth: number): string {
  // depth 1 is `player`, every `friends` adds one level, `name` adds the last.
  let selection = "name";
  for (let i = 0; i < depth - 2; i++) selection = `friends(limit: 1) { ${selection} }`;
  return `{ player(id: "p1") { ${selection} } }`;
}

describe("gateway over HTTP", () => {
  it("answers a query spanning two subgraphs", async () => {
    const res = await post(gateway.url, { query: `{ player(id: "p1") { id name balance { amount currency } } }` });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ player: { id: "p1", name: playerName("p1"), balance: { amount: "0.00", currency: "GBP" } } });
  });

  it("forwards the caller's bearer token and request id to every subgraph it calls", async () => {
    const token = await tokens.player("p-forward");
    const before = { player: player.seen.length, wallet: wallet.seen.length };
    const res = await post(gateway.url, { query: `{ me { id name balance { amount } } }` }, { ...bearer(token), "x-request-id": "req-forward-1" });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ me: { id: "p-forward", name: playerName("p-forward"), balance: { amount: "0.00" } } });
    const seen = [...player.seen.slice(before.player), ...wallet.seen.slice(before.wallet)];
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.map((s) => s.authorization)).toEqual(seen.map(() => `Bearer ${token}`));
    expect(seen.map((s) => s.requestId)).toEqual(seen.map(() => "req-forward-1"));
  });

  it("treats a request without a token as anonymous and forwards no authorization", async () => {
    const before = player.seen.length;
    const res = await post(gateway.url, { query: `{ me { id } }` });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: null });
    expect(player.seen.slice(before).map((s) => s.authorization)).toEqual([undefined]);
  });

  it.each([
    ["a token signed with another key", () => tokens.forgedPlayer("p1").then((t) => `Bearer ${t}`)],
    ["an expired token", () => tokens.expiredPlayer("p1").then((t) => `Bearer ${t}`)],
    ["garbage", async () => "Bearer not.a.jwt"],
    ["a non-bearer scheme", async () => "Basic dXNlcjpwYXNz"],
  ])("rejects %s with UNAUTHENTICATED and HTTP 401 without calling a subgraph", async (_name, header) => {
    const before = player.seen.length;
    const res = await post(gateway.url, { query: `{ me { id } }` }, { authorization: await header() });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(player.seen.length).toBe(before);
  });

  it("answers malformed GraphQL with HTTP 400 and GRAPHQL_PARSE_FAILED", async () => {
    const res = await post(gateway.url, { query: `{ player(id: "p1") { id ` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("answers a body that is not JSON with HTTP 400", async () => {
    const res = await post(gateway.url, "{ not json");
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
  });

  it("serves requests the direct JSON route declines (GET, gzip bodies) through the express mount alike", async () => {
    const query = `{ player(id: "p1") { id name } }`;
    const expected = { player: { id: "p1", name: playerName("p1") } };
    const get = await fetch(`${gateway.url}?query=${encodeURIComponent(query)}`, { headers: { "apollo-require-preflight": "1" } });
    expect(get.status).toBe(200);
    expect(get.headers.get("x-request-id")).toBeTruthy();
    expect(((await get.json()) as { data?: unknown }).data).toEqual(expected);
    const gz = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(JSON.stringify({ query })),
    });
    expect(gz.status).toBe(200);
    expect(((await gz.json()) as { data?: unknown }).data).toEqual(expected);
    const plain = await post(gateway.url, { query }, { "content-type": "application/json; charset=utf-8", "x-request-id": "req-direct-1" });
    expect(plain.status).toBe(200);
    expect(plain.body.data).toEqual(expected);
  });

  it("answers a JSON body that is not an object or array with HTTP 400", async () => {
    const res = await post(gateway.url, '"just a string"');
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
  });

  it("refuses bodies over 1 MB with HTTP 413", async () => {
    const res = await post(gateway.url, { query: `{ player(id: "p1") { id } }`, variables: { pad: "x".repeat(1024 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("accepts a query at the maximum depth and rejects one level deeper", async () => {
    const ok = await post(gateway.url, { query: nested(12) });
    expect(ok.body.errors).toBeUndefined();
    const tooDeep = await post(gateway.url, { query: nested(13) });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", limit: "depth", max: 12, actual: 13 });
    expect(tooDeep.body.errors?.[0]?.message).toBe("Query depth 13 exceeds the maximum depth of 12");
  });

  it("rejects more than 30 aliases", async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: player(id: "p${i}") { id }`).join(" ")} }`;
    const ok = await post(gateway.url, { query: aliases(30) });
    expect(ok.body.errors).toBeUndefined();
    const res = await post(gateway.url, { query: aliases(31) });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", limit: "aliases", max: 30, actual: 31 });
    expect(res.body.errors?.[0]?.message).toContain("aliases");
  });

  it("rejects a query whose list multiplication exceeds the cost limit", async () => {
    // 1 + 100 * (1 + 100 * 1) = 10,101
    const res = await post(gateway.url, { query: `{ players(first: 100) { friends(limit: 100) { id } } }` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", limit: "cost", max: 5000, actual: 10101 });
    expect(res.body.errors?.[0]?.message).toContain("cost");
    const cheap = await post(gateway.url, { query: `{ players(first: 3) { friends(limit: 2) { id } } }` });
    expect(cheap.body.errors).toBeUndefined();
  });

  it("measures a page size passed in a variable with its real value", async () => {
    const query = `query Q($n: Int) { players(first: $n) { friends(limit: $n) { id } } }`;
    const small = await post(gateway.url, { query, variables: { n: 2 } });
    expect(small.body.errors).toBeUndefined();
    const large = await post(gateway.url, { query, variables: { n: 1000 } });
    expect(large.status).toBe(400);
    expect(large.body.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", limit: "cost" });
  });

  it("refuses subscriptions over HTTP with a pointer to the WebSocket endpoint", async () => {
    const res = await post(gateway.url, { query: `subscription { balanceChanged { version } }` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toContain("WebSocket");
  });

  it("serves introspection outside production", async () => {
    const res = await post(gateway.url, { query: `{ __schema { subscriptionType { name } } }` });
    expect(res.body.data).toEqual({ __schema: { subscriptionType: { name: "Subscription" } } });
  });

  it("exposes health, readiness and gateway metrics", async () => {
    const base = gateway.url.replace(/\/graphql$/, "");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain("graphql_operation_duration_seconds");
    expect(metrics).toContain("gateway_subscriptions_open");
  });
});

describe("gateway in production mode", () => {
  let prod: RunningGateway;
  beforeAll(async () => {
    prod = await startTestGateway([player, wallet], new TestLiveChannel(), { NODE_ENV: "production", GATEWAY_MAX_DEPTH: "3" });
  });
  afterAll(async () => {
    await prod?.stop();
  });

  it("refuses introspection", async () => {
    const res = await post(prod.url, { query: `{ __schema { queryType { name } } }` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("takes its limits from the environment", async () => {
    const res = await post(prod.url, { query: nested(4) });
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ limit: "depth", max: 3, actual: 4 });
  });
});
