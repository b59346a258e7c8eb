import { randomUUID } from "node:crypto";
import type { DomainEvent } from "@casino/kernel/events/types";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";
import { playerRegisteredEvent, waitUntilScreened } from "./support/player-registered-event.ts";
import { transactionPostedEvent, type TransactionPostedPayload } from "./support/wallet-transaction-posted-event.ts";

// GB rule set version 3 (with the aml group) is in force from 29 Nov 2026.
let clock = new Date("2026-12-01T09:00:00Z");
const HOUR = 3_600_000;
const hoursAgo = (h: number) => new Date(clock.getTime() - h * HOUR);
let svc: TestService<PrismaClient>;
let complianceStaff: string;
let supportStaff: string;
const complianceStaffId = randomUUID();

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }));
  complianceStaff = await svc.tokens.staff(["compliance"], complianceStaffId);
  supportStaff = await svc.tokens.staff(["support"]);
});
afterAll(async () => {
  await svc.stop();
});

async function registeredPlayer(): Promise<string> {
  const registered = playerRegisteredEvent({ dateOfBirth: "1985-02-14" });
  await svc.runtime.bus.publish([registered]);
  const { playerId } = registered.payload;
  await waitUntilScreened(svc.runtime.prisma, playerId);
  return playerId;
}

/** Publishes the event and waits until compliance has recorded its movement (and, in the same transaction, any case). */
async function posted(event: DomainEvent<TransactionPostedPayload>): Promise<DomainEvent<TransactionPostedPayload>> {
  await svc.runtime.bus.publish([event]);
  const { transactionId } = event.payload;
  await waitUntil("movement recorded", async () => (await svc.runtime.prisma.moneyMovement.count({ where: { transactionId } })) === 1);
  return event;
}
const deposit = (playerId: string, minor: bigint, at = clock) => posted(transactionPostedEvent(playerId, "DEPOSIT", minor, at));
const withdraw = (playerId: string, minor: bigint, at = clock) => posted(transactionPostedEvent(playerId, "WITHDRAWAL", minor, at));

const casesOf = (playerId: string) => svc.runtime.prisma.complianceCase.findMany({ where: { playerId }, orderBy: { openedAt: "asc" } });
const kindsOf = async (playerId: string) => (await casesOf(playerId)).map((c) => c.kind).sort();

const CASE_FIELDS = `id playerId kind status assigneeId openedBy openedAt updatedAt resolvedAt outcome resolutionSummary facts windowStart ruleSetVersion notes { kind body reference author createdAt }`;
const CASES = `query($filter: CaseFilter, $first: Int, $after: String) { cases(filter: $filter, first: $first, after: $after) { edges { cursor node { ${CASE_FIELDS} } } pageInfo { hasNextPage endCursor } } }`;
const CASE = `query($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`;
const OPEN = `mutation($p: ID!, $k: CaseKind!, $r: String!) { openCase(playerId: $p, kind: $k, reason: $r) { ${CASE_FIELDS} } }`;
const ASSIGN = `mutation($c: ID!, $a: ID!) { assignCase(caseId: $c, assigneeId: $a) { id status assigneeId } }`;
const NOTE = `mutation($c: ID!, $k: CaseNoteKind!, $b: String!, $r: String) { addCaseNote(caseId: $c, kind: $k, body: $b, reference: $r) { kind body reference author } }`;
const RESOLVE = `mutation($c: ID!, $o: CaseOutcome!, $s: String!) { resolveCase(caseId: $c, outcome: $o, summary: $s) { id status outcome resolutionSummary resolvedAt } }`;
const SAR = `query($c: ID!) { suspiciousActivityReportDraft(caseId: $c) { caseId generatedAt json text } }`;

type CaseResult = { id: string; kind: string; status: string; assigneeId: string | null; facts: string; ruleSetVersion: number | null; notes: Array<{ kind: string; body: string; reference: string | null; author: string }> };
type CasesResult = { cases: { edges: Array<{ cursor: string; node: CaseResult }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

describe("financial vulnerability check on recorded money movements", () => {
  it("opens one case when net deposits go over 150 GBP in 30 days, not at exactly 150 GBP, and not again while it is open", async () => {
    const playerId = await registeredPlayer();
    await deposit(playerId, 10000n, hoursAgo(48));
    await deposit(playerId, 5000n);
    expect(await kindsOf(playerId)).toEqual([]);

    const crossing = await deposit(playerId, 1n);
    const [opened] = await casesOf(playerId);
    expect(await kindsOf(playerId)).toEqual(["FINANCIAL_VULNERABILITY"]);
    expect(opened).toMatchObject({ status: "OPEN", openedBy: "system:monitoring", ruleSetVersion: 3, openKey: `${playerId}:FINANCIAL_VULNERABILITY`, windowStart: new Date(clock.getTime() - 30 * 24 * HOUR) });
    expect(opened?.facts).toMatchObject({ netDepositsMinor: "15001", thresholdMinor: "15000", rollingDays: 30, triggeringTransactionId: crossing.payload.transactionId });

    // Back under the threshold and over it again while the case is open: still one case.
    await withdraw(playerId, 5000n);
    await deposit(playerId, 6000n);
    // The same event delivered twice is consumed once.
    await svc.runtime.bus.publish([crossing]);
    await deposit(playerId, 100n);
    expect(await kindsOf(playerId)).toEqual(["FINANCIAL_VULNERABILITY"]);

    const outbox = await svc.runtime.prisma.outboxEvent.findMany({ where: { playerId, type: { startsWith: "compliance.case_" } } });
    expect(outbox.map((e) => [e.type, e.payload])).toEqual([["compliance.case_opened", expect.objectContaining({ caseId: opened?.id, kind: "FINANCIAL_VULNERABILITY", ruleSetVersion: 3 })]]);
    const audit = await svc.runtime.prisma.auditLog.findMany({ where: { playerId, action: "CASE_OPENED" } });
    expect(audit.map((a) => [a.actor, a.details])).toEqual([["system:monitoring", expect.objectContaining({ caseId: opened?.id })]]);
  });

  it("opens a case under the rule set in force at the time: before version 3's date no AML case, and version 2 recorded", async () => {
    const saved = clock;
    clock = new Date("2026-11-28T12:00:00Z");
    try {
      const playerId = await registeredPlayer();
      await deposit(playerId, 250000n);
      expect((await casesOf(playerId)).map((c) => [c.kind, c.ruleSetVersion])).toEqual([["FINANCIAL_VULNERABILITY", 2]]);
    } finally {
      clock = saved;
    }
  });
});

describe("AML monitoring on recorded money movements", () => {
  it("opens a source-of-funds case when deposits reach 2,000 GBP in 90 days", async () => {
    const playerId = await registeredPlayer();
    await deposit(playerId, 150000n, hoursAgo(24 * 60));
    await deposit(playerId, 49999n, hoursAgo(24 * 10));
    expect(await kindsOf(playerId)).toEqual(["FINANCIAL_VULNERABILITY"]);
    await deposit(playerId, 1n);
    expect(await kindsOf(playerId)).toEqual(["AML_SOURCE_OF_FUNDS", "FINANCIAL_VULNERABILITY"]);
  });

  it("opens a rapid-cycle case when a withdrawal pays out at least 80 % of the last 24 hours' deposits", async () => {
    const playerId = await registeredPlayer();
    await deposit(playerId, 12000n, hoursAgo(5));
    await withdraw(playerId, 9599n, hoursAgo(1));
    expect(await kindsOf(playerId)).toEqual([]);
    await deposit(playerId, 3000n, hoursAgo(0.5));
    await withdraw(playerId, 12000n);
    const rapid = (await casesOf(playerId)).find((c) => c.kind === "AML_RAPID_CYCLE");
    expect(rapid?.facts).toMatchObject({ depositsMinor: "15000", withdrawal: { amountMinor: "12000" }, withdrawalShareOfDepositsPercent: 80 });
  });

  it("opens a structuring case on the third deposit within 24 hours just under the 1,000 GBP threshold", async () => {
    const playerId = await registeredPlayer();
    await deposit(playerId, 95000n, hoursAgo(20));
    await deposit(playerId, 100000n, hoursAgo(15)); // at the threshold: not "just under"
    await deposit(playerId, 99999n, hoursAgo(10));
    expect((await kindsOf(playerId)).includes("AML_STRUCTURING")).toBe(false);
    await deposit(playerId, 90000n);
    const structuring = (await casesOf(playerId)).find((c) => c.kind === "AML_STRUCTURING");
    expect((structuring?.facts as { deposits: Array<{ amountMinor: string }> }).deposits.map((d) => d.amountMinor)).toEqual(["95000", "99999", "90000"]);
  });
});

describe("staff work cases through GraphQL", () => {
  it("lists, assigns, annotates and resolves a detected case, each step in the audit log, and the player's next crossing opens a new case", async () => {
    const playerId = await registeredPlayer();
    await deposit(playerId, 20000n);
    const listed = await svc.graphql<CasesResult>(CASES, { filter: { playerId, status: "OPEN" } }, supportStaff);
    expect(listed.errors).toBeUndefined();
    const caseId = listed.data!.cases.edges[0]!.node.id;
    expect(listed.data?.cases.edges.map((e) => [e.node.kind, e.node.status, e.node.ruleSetVersion])).toEqual([["FINANCIAL_VULNERABILITY", "OPEN", 3]]);

    const assigned = await svc.graphql(ASSIGN, { c: caseId, a: complianceStaffId }, complianceStaff);
    expect(assigned.data).toEqual({ assignCase: { id: caseId, status: "ASSIGNED", assigneeId: complianceStaffId } });
    const note = await svc.graphql(NOTE, { c: caseId, k: "NOTE", b: "Called the player: salary paid this week" }, complianceStaff);
    expect(note.data).toEqual({ addCaseNote: { kind: "NOTE", body: "Called the player: salary paid this week", reference: null, author: `staff:${complianceStaffId}` } });
    const evidence = await svc.graphql(NOTE, { c: caseId, k: "EVIDENCE", b: "Payslip", r: "doc-7731" }, complianceStaff);
    expect(evidence.errors).toBeUndefined();
    const resolved = await svc.graphql<{ resolveCase: Record<string, unknown> }>(RESOLVE, { c: caseId, o: "NO_ACTION", s: "Affordable on evidence of income" }, complianceStaff);
    expect(resolved.data?.resolveCase).toEqual({ id: caseId, status: "RESOLVED", outcome: "NO_ACTION", resolutionSummary: "Affordable on evidence of income", resolvedAt: clock.toISOString() });

    const read = await svc.graphql<{ case: CaseResult }>(CASE, { id: caseId }, supportStaff);
    expect(read.data?.case.notes.map((n) => [n.kind, n.reference])).toEqual([["NOTE", null], ["EVIDENCE", "doc-7731"]]);
    const audit = await svc.runtime.prisma.auditLog.findMany({ where: { playerId, action: { startsWith: "CASE_" } }, orderBy: { seq: "asc" } });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ["CASE_OPENED", "system:monitoring"],
      ["CASE_ASSIGNED", `staff:${complianceStaffId}`],
      ["CASE_NOTE_ADDED", `staff:${complianceStaffId}`],
      ["CASE_NOTE_ADDED", `staff:${complianceStaffId}`],
      ["CASE_RESOLVED", `staff:${complianceStaffId}`],
    ]);
    const resolvedEvent = await svc.runtime.prisma.outboxEvent.findFirst({ where: { playerId, type: "compliance.case_resolved" } });
    expect(resolvedEvent?.payload).toMatchObject({ caseId, outcome: "NO_ACTION", kind: "FINANCIAL_VULNERABILITY" });

    // Resolved and final: a note is refused; back under and over the threshold opens a new case.
    expect((await svc.graphql(NOTE, { c: caseId, k: "NOTE", b: "late" }, complianceStaff)).errors?.[0]?.extensions?.code).toBe("CONFLICT");
    await withdraw(playerId, 10000n);
    await deposit(playerId, 6000n);
    expect((await casesOf(playerId)).map((c) => c.status).sort()).toEqual(["OPEN", "RESOLVED"]);
  });

  it("opens a case by hand, refuses a second open case of the same kind, and refuses to resolve before assignment", async () => {
    const playerId = await registeredPlayer();
    const opened = await svc.graphql<{ openCase: CaseResult }>(OPEN, { p: playerId, k: "OTHER", r: "Payments team reported third-party card use" }, complianceStaff);
    expect(opened.errors).toBeUndefined();
    expect(opened.data?.openCase).toMatchObject({ kind: "OTHER", status: "OPEN", ruleSetVersion: 3 });
    expect(JSON.parse(opened.data!.openCase.facts)).toEqual({ reason: "Payments team reported third-party card use", openedByHand: true });
    const again = await svc.graphql(OPEN, { p: playerId, k: "OTHER", r: "Same concern again" }, complianceStaff);
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    const early = await svc.graphql(RESOLVE, { c: opened.data?.openCase.id, o: "NO_ACTION", s: "Nothing found" }, complianceStaff);
    expect(early.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(await svc.runtime.prisma.complianceCase.count({ where: { playerId } })).toBe(1);
  });

  it("pages through cases newest first with a cursor", async () => {
    const playerId = await registeredPlayer();
    for (const kind of ["OTHER", "AML_STRUCTURING", "AML_RAPID_CYCLE"]) {
      await svc.graphql(OPEN, { p: playerId, k: kind, r: `Manual ${kind}` }, complianceStaff);
      clock = new Date(clock.getTime() + 1000);
    }
    const first = await svc.graphql<CasesResult>(CASES, { filter: { playerId }, first: 2 }, complianceStaff);
    expect(first.data?.cases.edges.map((e) => e.node.kind)).toEqual(["AML_RAPID_CYCLE", "AML_STRUCTURING"]);
    expect(first.data?.cases.pageInfo.hasNextPage).toBe(true);
    const second = await svc.graphql<CasesResult>(CASES, { filter: { playerId }, first: 2, after: first.data?.cases.pageInfo.endCursor }, complianceStaff);
    expect(second.data?.cases.edges.map((e) => e.node.kind)).toEqual(["OTHER"]);
    expect(second.data?.cases.pageInfo).toEqual({ hasNextPage: false, endCursor: second.data?.cases.edges[0]?.cursor });
    const byKind = await svc.graphql<CasesResult>(CASES, { filter: { playerId, kind: "AML_STRUCTURING" } }, complianceStaff);
    expect(byKind.data?.cases.edges.map((e) => e.node.kind)).toEqual(["AML_STRUCTURING"]);
  });
});

describe("who may see and change cases", () => {
  it("lets support read cases but not open, assign, annotate, resolve or export them; a player sees nothing", async () => {
    const playerId = await registeredPlayer();
    await deposit(playerId, 20000n);
    const [detected] = await casesOf(playerId);
    const caseId = detected!.id;
    expect((await svc.graphql<{ case: CaseResult }>(CASE, { id: caseId }, supportStaff)).data?.case.id).toBe(caseId);
    const attempts = [
      svc.graphql(ASSIGN, { c: caseId, a: "someone" }, supportStaff),
      svc.graphql(NOTE, { c: caseId, k: "NOTE", b: "support note" }, supportStaff),
      svc.graphql(RESOLVE, { c: caseId, o: "NO_ACTION", s: "Looks fine to me" }, supportStaff),
      svc.graphql(OPEN, { p: playerId, k: "OTHER", r: "support opening" }, supportStaff),
      svc.graphql(SAR, { c: caseId }, supportStaff),
    ];
    expect((await Promise.all(attempts)).map((r) => r.errors?.[0]?.extensions?.code)).toEqual(["FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN"]);
    expect(await svc.runtime.prisma.complianceCase.findUniqueOrThrow({ where: { id: caseId } })).toMatchObject({ status: "OPEN", assigneeId: null });
    expect(await svc.runtime.prisma.caseNote.count({ where: { caseId } })).toBe(0);

    const player = await svc.tokens.player(playerId);
    const asPlayer = [await svc.graphql(CASES, { filter: { playerId } }, player), await svc.graphql(CASE, { id: caseId }, player)];
    expect(asPlayer.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(["FORBIDDEN", "FORBIDDEN"]);
    expect(asPlayer[1]?.data).toEqual({ case: null });
    expect((await svc.graphql(CASES, {})).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("tipping-off: support sees safer-gambling cases, never money-laundering ones", () => {
  it("lists and reads only financial-vulnerability cases for support, every case for compliance", async () => {
    const playerId = await registeredPlayer();
    await deposit(playerId, 20000n); // financial vulnerability
    for (const kind of ["AML_STRUCTURING", "OTHER"]) {
      expect((await svc.graphql(OPEN, { p: playerId, k: kind, r: `Manual ${kind}` }, complianceStaff)).errors).toBeUndefined();
      clock = new Date(clock.getTime() + 1000);
    }
    const all = await casesOf(playerId);
    expect(all.map((c) => c.kind).sort()).toEqual(["AML_STRUCTURING", "FINANCIAL_VULNERABILITY", "OTHER"]);

    const asSupport = await svc.graphql<CasesResult>(CASES, { filter: { playerId } }, supportStaff);
    expect(asSupport.errors).toBeUndefined();
    expect(asSupport.data?.cases.edges.map((e) => e.node.kind)).toEqual(["FINANCIAL_VULNERABILITY"]);
    // Asking for the kind by name finds nothing rather than an error that would confirm it exists.
    const byKind = await svc.graphql<CasesResult>(CASES, { filter: { playerId, kind: "AML_STRUCTURING" } }, supportStaff);
    expect(byKind.errors).toBeUndefined();
    expect(byKind.data?.cases.edges).toEqual([]);
    for (const hidden of all.filter((c) => c.kind !== "FINANCIAL_VULNERABILITY")) {
      const read = await svc.graphql<{ case: CaseResult | null }>(CASE, { id: hidden.id }, supportStaff);
      expect(read.errors).toBeUndefined();
      expect(read.data?.case).toBeNull();
      expect((await svc.graphql<{ case: CaseResult | null }>(CASE, { id: hidden.id }, complianceStaff)).data?.case?.id).toBe(hidden.id);
    }
    const asCompliance = await svc.graphql<CasesResult>(CASES, { filter: { playerId } }, complianceStaff);
    expect(asCompliance.data?.cases.edges.map((e) => e.node.kind).sort()).toEqual(["AML_STRUCTURING", "FINANCIAL_VULNERABILITY", "OTHER"]);
  });
});

describe("bad input", () => {
  it("is BAD_USER_INPUT and writes nothing", async () => {
    const playerId = await registeredPlayer();
    const opened = await svc.graphql<{ openCase: CaseResult }>(OPEN, { p: playerId, k: "OTHER", r: "Unusual login pattern" }, complianceStaff);
    const caseId = opened.data!.openCase.id;
    await svc.graphql(ASSIGN, { c: caseId, a: complianceStaffId }, complianceStaff);
    const auditBefore = await svc.runtime.prisma.auditLog.count({ where: { playerId } });
    const attempts = [
      await svc.graphql(OPEN, { p: playerId, k: "AML_STRUCTURING", r: "x" }, complianceStaff),
      await svc.graphql(OPEN, { p: "not-a-uuid", k: "OTHER", r: "A fine reason" }, complianceStaff),
      await svc.graphql(ASSIGN, { c: caseId, a: "has spaces" }, complianceStaff),
      await svc.graphql(ASSIGN, { c: "42", a: "staff-1" }, complianceStaff),
      await svc.graphql(NOTE, { c: caseId, k: "EVIDENCE", b: "Bank statement" }, complianceStaff),
      await svc.graphql(NOTE, { c: caseId, k: "NOTE", b: "   " }, complianceStaff),
      await svc.graphql(RESOLVE, { c: caseId, o: "RESTRICTED", s: "  " }, complianceStaff),
      await svc.graphql(CASES, { first: 0 }, complianceStaff),
      await svc.graphql(CASES, { after: "bm90LWEtY3Vyc29y" }, complianceStaff),
      await svc.graphql(CASES, { filter: { playerId: "nope" } }, complianceStaff),
      await svc.graphql(SAR, { c: "nope" }, complianceStaff),
    ];
    expect(attempts.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(Array(attempts.length).fill("BAD_USER_INPUT"));
    expect(await svc.runtime.prisma.auditLog.count({ where: { playerId } })).toBe(auditBefore);
    expect(await svc.runtime.prisma.complianceCase.findMany({ where: { playerId } })).toEqual([expect.objectContaining({ status: "ASSIGNED", assigneeId: complianceStaffId, outcome: null })]);
    expect(await svc.runtime.prisma.caseNote.count({ where: { caseId } })).toBe(0);
  });

  it("keeps notes append-only and resolved cases final in the database itself", async () => {
    const playerId = await registeredPlayer();
    const opened = await svc.graphql<{ openCase: CaseResult }>(OPEN, { p: playerId, k: "OTHER", r: "Database guarantees" }, complianceStaff);
    const caseId = opened.data!.openCase.id;
    await svc.graphql(NOTE, { c: caseId, k: "NOTE", b: "first" }, complianceStaff);
    // Raw SQL: the driver adapters map restrict_violation to a foreign-key error and drop the message.
    const db = svc.runtime.prisma;
    await expect(db.$executeRaw`UPDATE compliance_case_note SET body = 'rewritten' WHERE case_id = ${caseId}::uuid`).rejects.toThrow(/append-only/);
    await svc.graphql(ASSIGN, { c: caseId, a: complianceStaffId }, complianceStaff);
    await svc.graphql(RESOLVE, { c: caseId, o: "NO_ACTION", s: "Checked" }, complianceStaff);
    await expect(db.$executeRaw`UPDATE compliance_case SET resolution_summary = 'Changed later' WHERE id = ${caseId}::uuid`).rejects.toThrow(/resolved and final/);
    await expect(db.$executeRaw`DELETE FROM compliance_case WHERE id = ${caseId}::uuid`).rejects.toThrow(/never deleted/);
    expect(await db.caseNote.findMany({ where: { caseId } })).toEqual([expect.objectContaining({ body: "first" })]);
    expect(await db.complianceCase.findUnique({ where: { id: caseId } })).toMatchObject({ resolutionSummary: "Checked" });
  });
});

describe("suspicious activity report draft", () => {
  it("gives compliance the subject, grounds, the case window's transactions and the timeline, as JSON and text, and audits the export", async () => {
    const playerId = await registeredPlayer();
    const early = await deposit(playerId, 5000n, hoursAgo(24 * 40)); // before the 30-day window
    const inWindow = await deposit(playerId, 20000n, hoursAgo(2));
    const [detected] = await casesOf(playerId);
    const caseId = detected!.id;
    await svc.graphql(NOTE, { c: caseId, k: "EVIDENCE", b: "Bank statement shows gambling spend", r: "https://dms.example/doc/991" }, complianceStaff);

    const res = await svc.graphql<{ suspiciousActivityReportDraft: { caseId: string; json: string; text: string } }>(SAR, { c: caseId }, complianceStaff);
    expect(res.errors).toBeUndefined();
    const draft = JSON.parse(res.data!.suspiciousActivityReportDraft.json) as {
      subject: Record<string, unknown>;
      grounds: { kind: string; facts: Record<string, unknown>; notes: Array<{ reference: string }> };
      transactions: { items: Array<{ transactionId: string; amount: string }> };
      timeline: Array<{ action: string }>;
    };
    expect(draft.subject).toMatchObject({ playerId, jurisdiction: "GB", dateOfBirth: "1985-02-14" });
    expect(draft.grounds).toMatchObject({ kind: "FINANCIAL_VULNERABILITY", facts: { netDepositsMinor: "20000" }, notes: [{ reference: "https://dms.example/doc/991" }] });
    expect(draft.transactions.items).toEqual([expect.objectContaining({ transactionId: inWindow.payload.transactionId, amount: "200.00" })]);
    expect(draft.transactions.items.map((t) => t.transactionId)).not.toContain(early.payload.transactionId);
    expect(draft.timeline.map((e) => e.action)).toEqual(["CASE_OPENED", "CASE_NOTE_ADDED"]);
    const text = res.data!.suspiciousActivityReportDraft.text;
    expect(text).toContain(`Player id: ${playerId}`);
    expect(text).toContain("Date of birth: 1985-02-14");
    expect(text).toContain("200.00 GBP");
    expect(await svc.runtime.prisma.auditLog.findMany({ where: { playerId, action: "SAR_DRAFT_EXPORTED" } })).toEqual([
      expect.objectContaining({ actor: `staff:${complianceStaffId}`, details: { caseId } }),
    ]);
  });

  it("answers NOT_FOUND for a case that does not exist", async () => {
    const res = await svc.graphql(SAR, { c: randomUUID() }, complianceStaff);
    expect(res.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
