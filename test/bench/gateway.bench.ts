/**
 * npm run bench:gateway — `me { id wallet { balances } }` through the gateway and, in the same run,
 * the equivalent requests straight to the two subgraphs (what the gateway's query plan sends), at 32
 * concurrent connections. Writes bench-results/gateway.json. Targets (issue 2): gateway p99 < 50 ms,
 * gateway throughput >= 40 % of the direct path, embedded start-up < 20 s.
 */
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Agent, request } from "undici";
import { REPO_ROOT } from "@casino/kernel/service";
import { gql } from "../support/gateway-client.ts";
import { ADMIN, startTestPlatform } from "../support/platform.ts";
import { runClosedLoop } from "./load.ts";

const CONCURRENCY = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = 3;

const agent = new Agent({ connections: CONCURRENCY * 2, pipelining: 1, keepAliveTimeout: 30_000 });

async function post(url: string, body: string, token: string): Promise<boolean> {
  const res = await request(url, {
    method: "POST",
    dispatcher: agent,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body,
  });
  const json = (await res.body.json()) as { errors?: unknown[] };
  return res.statusCode === 200 && !json.errors;
}

const t0 = performance.now();
const platform = await startTestPlatform({ LOG_LEVEL: "warn" });
const startupSeconds = (performance.now() - t0) / 1000;
try {
  const url = platform.gatewayUrl;
  const email = `bench-${Date.now()}@example.com`;
  const reg = await gql<{ registerPlayer: { accessToken: string } }>(
    url,
    `mutation($i: RegisterPlayerInput!) { registerPlayer(input: $i) { accessToken } }`,
    { i: { email, password: "benchmark passphrase", dateOfBirth: "1985-01-01", country: "GB", currency: "GBP" } },
  );
  const token = reg.data!.registerPlayer.accessToken;
  const admin = await gql<{ staffLogin: { accessToken: string } }>(url, `mutation($e: String!, $p: String!) { staffLogin(email: $e, password: $p) { accessToken } }`, {
    e: ADMIN.email,
    p: ADMIN.password,
  });
  const me = await gql<{ me: { id: string } }>(url, `{ me { id } }`, {}, token);
  const playerId = me.data!.me.id;
  for (let i = 0; i < 200; i++) {
    const res = await gql(
      url,
      `mutation($p: ID!) { adjustBalance(playerId: $p, amount: { amount: "100.00", currency: "GBP" }, reason: "benchmark funds", idempotencyKey: "bench-funds") { id } }`,
      { p: playerId },
      admin.data!.staffLogin.accessToken,
    );
    if (!res.errors) break;
    await new Promise((r) => setTimeout(r, 50));
  }

  const gatewayBody = JSON.stringify({ query: "{ me { id wallet { balances { amount currency } } } }" });
  const playerBody = JSON.stringify({ query: "{ me { __typename id currency } }" });
  const walletBody = JSON.stringify({
    query: "query($r: [_Any!]!) { _entities(representations: $r) { ... on Player { wallet { balances { amount currency } } } } }",
    variables: { r: [{ __typename: "Player", id: playerId, currency: "GBP" }] },
  });

  const viaGateway = () => post(url, gatewayBody, token);
  // The gateway's plan for this query: player first, then the wallet with the entity it returned.
  const direct = async () => (await post(platform.urls.player!, playerBody, token)) && post(platform.urls.wallet!, walletBody, token);

  if (!(await viaGateway()) || !(await direct())) throw new Error("sanity request failed");
  await runClosedLoop(CONCURRENCY, WARMUP_SECONDS, viaGateway);
  await runClosedLoop(CONCURRENCY, WARMUP_SECONDS, direct);
  // Alternate the two paths so that drift in machine load affects both alike.
  const rounds = [];
  for (let i = 0; i < 2; i++) {
    rounds.push({ gateway: await runClosedLoop(CONCURRENCY, SECONDS / 2, viaGateway), direct: await runClosedLoop(CONCURRENCY, SECONDS / 2, direct) });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const gatewayRps = median(rounds.map((r) => r.gateway.requestsPerSecond));
  const directRps = median(rounds.map((r) => r.direct.requestsPerSecond));
  const gatewayP99 = Math.max(...rounds.map((r) => r.gateway.latencyMs.p99));
  const result = {
    benchmark: "gateway",
    date: new Date().toISOString(),
    mode: process.env.DATABASE_URL ? "real" : "embedded",
    concurrency: CONCURRENCY,
    secondsPerPath: SECONDS,
    startupSeconds: Math.round(startupSeconds * 100) / 100,
    rounds,
    summary: {
      gatewayRequestsPerSecond: gatewayRps,
      directRequestsPerSecond: directRps,
      gatewayToDirectRatio: Math.round((gatewayRps / directRps) * 1000) / 1000,
      gatewayP99Ms: gatewayP99,
    },
    targets: {
      gatewayP99Under50ms: gatewayP99 < 50,
      ratioAtLeast40Percent: gatewayRps / directRps >= 0.4,
      startupUnder20s: startupSeconds < 20,
    },
  };
  const out = path.join(REPO_ROOT, "bench-results", "gateway.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + "\n");
  process.stdout.write(`${JSON.stringify(result.summary)}\n${JSON.stringify(result.targets)}\nwritten to ${path.relative(REPO_ROOT, out)}\n`);
} finally {
  await platform.stop();
  await agent.close();
}
