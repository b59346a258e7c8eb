import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";

let clock = new Date("2026-12-01T09:00:00Z");
let svc: TestService<PrismaClient>;
let compliance: string;

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }));
  compliance = await svc.tokens.staff(["compliance"]);
});
afterAll(async () => {
  await svc.stop();
});

const LOAD = `mutation($j: String!, $from: String!, $rules: String!) { loadRuleSet(jurisdiction: $j, effectiveFrom: $from, rules: $rules) { id jurisdiction version effectiveFrom active } }`;
const RULE_SETS = `{ ruleSets(jurisdiction: "GB") { version active rules } }`;

async function currentGbRules(): Promise<Record<string, unknown>> {
  const res = await svc.graphql<{ ruleSets: Array<{ version: number; active: boolean; rules: string }> }>(RULE_SETS, {}, compliance);
  return JSON.parse(res.data!.ruleSets.find((r) => r.active)!.rules) as Record<string, unknown>;
}

describe("loading a rule set version", () => {
  it("adds the next version, which takes over by itself on its date, and records who loaded it", async () => {
    const rules = { ...(await currentGbRules()), slotStakeLimitMinor: { GBP: 400, age18to24GBP: 200, source: "a hypothetical 2027 change" } };
    const res = await svc.graphql<{ loadRuleSet: { version: number; active: boolean; effectiveFrom: string } }>(
      LOAD,
      { j: "GB", from: "2027-01-01T00:00:00Z", rules: JSON.stringify(rules) },
      compliance,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.loadRuleSet).toMatchObject({ version: 4, active: false, effectiveFrom: "2027-01-01T00:00:00.000Z" });
    clock = new Date("2027-01-01T00:00:00Z");
    const after = await svc.graphql<{ ruleSets: Array<{ version: number; active: boolean }> }>(RULE_SETS, {}, compliance);
    expect(after.data?.ruleSets.filter((r) => r.active).map((r) => r.version)).toEqual([4]);
    const audit = await svc.runtime.prisma.auditLog.findMany({ where: { action: "RULE_SET_LOADED" } });
    expect(audit).toEqual([expect.objectContaining({ actor: expect.stringMatching(/^staff:/), details: expect.objectContaining({ jurisdiction: "GB", version: 4 }) })]);
  });

  it.each([
    ["a date in the past", { from: "2020-01-01T00:00:00Z" }, "effectiveFrom"],
    ["a date that is no instant", { from: "next year" }, "effectiveFrom"],
    ["rules that are not JSON", { rules: "{not json" }, "rules"],
    ["rules without the figures the platform reads", { rules: JSON.stringify({ minimumAge: { years: 18, source: "x" } }) }, "rules"],
    ["a jurisdiction that is no ISO code", { j: "GBR" }, "jurisdiction"],
  ])("refuses %s and writes nothing", async (_name, overrides, field) => {
    const before = await svc.runtime.prisma.ruleSet.count();
    const rules = await currentGbRules();
    const res = await svc.graphql(LOAD, { j: "GB", from: "2030-01-01T00:00:00Z", rules: JSON.stringify(rules), ...overrides }, compliance);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await svc.runtime.prisma.ruleSet.count()).toBe(before);
  });

  it.each([
    ["without the slot design figures (RTS 14)", (r: Record<string, unknown>) => ({ ...r, slotDesign: undefined })],
    ["with a game cycle that is not a number of milliseconds", (r: Record<string, unknown>) => ({ ...r, otherCasinoGames: { turboOrQuickSpin: false, minimumGameCycleMs: "5s", source: "RTS 14" } })],
  ])("refuses rules %s and writes nothing", async (_name, edit) => {
    const before = await svc.runtime.prisma.ruleSet.count();
    const rules = edit((await currentGbRules()) as Record<string, unknown>);
    const res = await svc.graphql(LOAD, { j: "GB", from: "2030-01-01T00:00:00Z", rules: JSON.stringify(rules) }, compliance);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "rules" });
    expect(res.errors?.[0]?.message).toMatch(/slotDesign|minimumGameCycleMs/);
    expect(await svc.runtime.prisma.ruleSet.count()).toBe(before);
  });

  it("is for compliance staff only", async () => {
    const res = await svc.graphql(LOAD, { j: "GB", from: "2030-01-01T00:00:00Z", rules: "{}" }, await svc.tokens.staff(["support"]));
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
