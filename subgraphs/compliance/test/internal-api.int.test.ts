import { randomUUID } from "node:crypto";
import { ServiceTokenSigner } from "@casino/kernel/auth/service-tokens";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";

/**
 * The internal API answers the same through its fast routes (a POST with a plain JSON body, served
 * from node:http) and through express (anything else; here a body declared `content-encoding:
 * identity`, which the fast routes leave to express): same statuses,
 * same bodies, authentication and the caller's permission checked on both.
 */
let svc: TestService<PrismaClient>;
const url = (path: string) => svc.url.replace(/\/graphql$/, `/internal/compliance/v1${path}`);
const token = (caller: "games" | "payments" | "player") => new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, caller, "compliance").token();

beforeAll(async () => {
  svc = await startTestService(createComplianceService());
});
afterAll(async () => {
  await svc.stop();
});

let extraHeaders: Record<string, string> = {};
async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url(path), { method: "POST", headers: { ...headers, ...extraHeaders }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const stake = JSON.stringify({ playerId: randomUUID(), currency: "GBP", amount: "100", gameKind: "SLOT" });

describe.each([
  ["fast route", {}],
  ["express router", { "content-encoding": "identity" }],
])("through the %s", (_path, extra: Record<string, string>) => {
  const contentType = "application/json";
  beforeEach(() => {
    extraHeaders = extra;
  });
  it("answers a check (a player compliance has not assessed yet is refused)", async () => {
    const res = await post("/checks/stake", stake, { "content-type": contentType, authorization: `Bearer ${await token("games")}` });
    expect(res).toEqual({ status: 200, body: { allowed: false, reasons: ["NOT_YET_ASSESSED"], maxStake: null } });
  });

  it("refuses a missing token (401), another service's token (403), bad input and a malformed body (400)", async () => {
    expect((await post("/checks/stake", stake, { "content-type": contentType })).status).toBe(401);
    const wrongCaller = await post("/checks/stake", stake, { "content-type": contentType, authorization: `Bearer ${await token("payments")}` });
    expect(wrongCaller).toMatchObject({ status: 403, body: { error: { code: "FORBIDDEN" } } });
    const games = `Bearer ${await token("games")}`;
    const badInput = await post("/checks/stake", JSON.stringify({ playerId: "nobody", currency: "GBP", amount: "100", gameKind: "SLOT" }), { "content-type": contentType, authorization: games });
    expect(badInput).toMatchObject({ status: 400, body: { error: { code: "BAD_USER_INPUT", field: "playerId" } } });
    const malformed = await post("/checks/stake", "{not json", { "content-type": contentType, authorization: games });
    expect(malformed).toMatchObject({ status: 400, body: { error: { code: "BAD_USER_INPUT", field: "body" } } });
  });
});

describe("metrics", () => {
  it("times each check under its own route, whether a fast route or express served it", async () => {
    const headers = { "content-type": "application/json", authorization: `Bearer ${await token("games")}` };
    const countOf = async (route: string) => {
      const text = await (await fetch(svc.url.replace(/\/graphql$/, "/metrics"))).text();
      const line = text.split("\n").find((l) => l.startsWith("http_request_duration_seconds_count{") && l.includes(`route="${route}"`) && l.includes('status="200"'));
      return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
    };
    const fastBefore = await countOf("/internal/compliance/v1/checks/stake");
    const expressBefore = await countOf("/checks/stake");
    extraHeaders = {};
    expect((await post("/checks/stake", stake, headers)).status).toBe(200);
    extraHeaders = { "content-encoding": "identity" };
    expect((await post("/checks/stake", stake, headers)).status).toBe(200);
    extraHeaders = {};
    expect(await countOf("/internal/compliance/v1/checks/stake")).toBe(fastBefore + 1);
    expect(await countOf("/checks/stake")).toBe(expressBefore + 1);
  });
});
