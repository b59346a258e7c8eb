import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ServiceTokenVerifier } from "@casino/kernel/auth/service-tokens";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { playerService } from "../src/service.ts";

/**
 * GAMSTOP screening at registration. Compliance owns the GAMSTOP integration; here a stand-in of its
 * screening API (the same protocol: service token from "player", JSON subject, outcome or 503)
 * answers by last name: "Excluded" is self-excluded, "Down" cannot be checked, anyone else is clear.
 */
const verifier = new ServiceTokenVerifier(TEST_SERVICE_TOKEN_SECRET, "compliance");
const screened: Array<Record<string, string>> = [];
const compliance = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", async () => {
    const send = (status: number, json: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
    try {
      if ((await verifier.callerOf(req.headers.authorization)) !== "player" || req.url !== "/internal/compliance/v1/gamstop/screen") return send(403, {});
    } catch {
      return send(401, {});
    }
    const subject = JSON.parse(body) as Record<string, string>;
    screened.push(subject);
    if (subject.lastName === "Down") return send(503, { error: { code: "GAMSTOP_UNAVAILABLE" } });
    send(200, { outcome: subject.lastName === "Excluded" ? "EXCLUDED" : "NOT_REGISTERED", uniqueId: `u-${randomUUID()}`, traceId: `t-${randomUUID()}`, checkedAt: new Date().toISOString() });
  });
});
let svc: TestService<PrismaClient>;

beforeAll(async () => {
  await new Promise<void>((resolve) => compliance.listen(0, "127.0.0.1", resolve));
  svc = await startTestService(playerService, { COMPLIANCE_URL: `http://127.0.0.1:${(compliance.address() as AddressInfo).port}/graphql` });
});
afterAll(async () => {
  await svc.stop();
  await new Promise((resolve) => compliance.close(resolve));
});

const REGISTER = `mutation($input: RegisterPlayerInput!) { registerPlayer(input: $input) { accessToken } }`;
const input = (lastName: string | undefined, extra: Record<string, string> = {}) => ({
  email: `g-${randomUUID()}@example.com`,
  password: "correct horse battery",
  dateOfBirth: "1990-04-23",
  country: "GB",
  currency: "GBP",
  ...(lastName ? { firstName: "Ann", lastName, addressLine1: "1 High Street", city: "London", postcode: "SW1A 1AA" } : {}),
  ...extra,
});
const playersWith = (email: string) => svc.runtime.prisma.player.count({ where: { email } });

describe("registration and GAMSTOP", () => {
  it("refuses a person self-excluded with GAMSTOP, and writes nothing", async () => {
    const i = input("Excluded");
    const res = await svc.graphql(REGISTER, { input: i });
    expect(res.errors?.[0]?.extensions?.code).toBe("SELF_EXCLUDED");
    expect(await playersWith(i.email)).toBe(0);
  });

  it("refuses to open an account while GAMSTOP cannot be asked", async () => {
    const i = input("Down");
    const res = await svc.graphql(REGISTER, { input: i });
    expect(res.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    expect(await playersWith(i.email)).toBe(0);
  });

  it("opens the account of a person GAMSTOP does not know and hands the screening to compliance in player.registered", async () => {
    const i = input("Clear");
    const res = await svc.graphql(REGISTER, { input: i });
    expect(res.errors).toBeUndefined();
    const player = await svc.runtime.prisma.player.findUniqueOrThrow({ where: { email: i.email } });
    const [event] = await svc.runtime.prisma.outboxEvent.findMany({ where: { type: "player.registered", playerId: player.id } });
    expect(event?.payload).toMatchObject({
      email: i.email,
      firstName: "Ann",
      lastName: "Clear",
      postcode: "SW1A 1AA",
      gamstop: { outcome: "NOT_REGISTERED", uniqueId: expect.any(String), traceId: expect.any(String) },
    });
    expect(screened.at(-1)).toEqual({ firstName: "Ann", lastName: "Clear", dateOfBirth: "1990-04-23", email: i.email, postcode: "SW1A 1AA" });
  });

  it("registers without a screening when the details GAMSTOP needs are not given (compliance blocks play until they are)", async () => {
    const before = screened.length;
    const i = input(undefined);
    expect((await svc.graphql(REGISTER, { input: i })).errors).toBeUndefined();
    const player = await svc.runtime.prisma.player.findUniqueOrThrow({ where: { email: i.email } });
    const [event] = await svc.runtime.prisma.outboxEvent.findMany({ where: { type: "player.registered", playerId: player.id } });
    expect(event?.payload).toMatchObject({ gamstop: null, firstName: null });
    expect(screened.length).toBe(before);
  });
});
