import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";
import { playerRegisteredEvent, waitUntilScreened } from "./support/player-registered-event.ts";
import { ComplianceCases } from "../src/case-service.ts";
import { amountDiffersEvent, mismatchResolvedEvent, missingInternallyEvent } from "./support/reconciliation-mismatch-event.ts";

let svc: TestService<PrismaClient>;
let complianceStaff: string;
const clock = new Date("2026-12-02T10:00:00Z");

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }));
  complianceStaff = await svc.tokens.staff(["compliance"]);
});
afterAll(async () => {
  await svc.stop();
});

async function registeredPlayer(): Promise<string> {
  const registered = playerRegisteredEvent();
  await svc.runtime.bus.publish([registered]);
  await waitUntilScreened(svc.runtime.prisma, registered.payload.playerId);
  return registered.payload.playerId;
}

const caseOf = (mismatchId: string) => svc.runtime.prisma.complianceCase.findMany({ where: { facts: { path: ["mismatchId"], equals: mismatchId } } });
const consumed = (eventId: string) => waitUntil("event consumed", async () => (await svc.runtime.prisma.processedEvent.count({ where: { consumer: "compliance", eventId } })) === 1);

const CASE_FIELDS = `id playerId kind status openedBy facts ruleSetVersion`;

describe("a case for each reconciliation mismatch payments reports", () => {
  it("opens one case per mismatch, about the player of the payment, referencing the mismatch, run and payment", async () => {
    const playerId = await registeredPlayer();
    const runId = randomUUID();
    const first = amountDiffersEvent(playerId, runId);
    const second = amountDiffersEvent(playerId, runId);
    await svc.runtime.bus.publish([first, second]);
    await consumed(first.id);
    await consumed(second.id);

    const [opened] = await caseOf(first.payload.mismatchId);
    expect(opened).toMatchObject({
      playerId,
      kind: "RECONCILIATION_MISMATCH",
      status: "OPEN",
      openedBy: "system:reconciliation",
      openKey: `reconciliation:${first.payload.mismatchId}`,
      ruleSetId: null,
    });
    expect(opened!.facts).toEqual({
      source: "payments.reconciliation_mismatch",
      mismatchId: first.payload.mismatchId,
      runId,
      paymentId: first.payload.paymentId,
      playerId,
      psp: "nuvei",
      mismatchKind: "AMOUNT_DIFFERS",
      pspReference: first.payload.pspReference,
      lineNumber: 3,
      expected: { minor: "2000", currency: "EUR" },
      actual: { minor: "9999", currency: "EUR" },
      detail: first.payload.detail,
    });
    // Two mismatches of one player in one run: two cases (not one per player and kind).
    expect(await svc.runtime.prisma.complianceCase.count({ where: { playerId, kind: "RECONCILIATION_MISMATCH" } })).toBe(2);
    const outbox = await svc.runtime.prisma.outboxEvent.findMany({ where: { type: "compliance.case_opened", playerId } });
    expect(outbox.map((e) => (e.payload as { kind: string }).kind)).toEqual(["RECONCILIATION_MISMATCH", "RECONCILIATION_MISMATCH"]);

    // Staff see it among the cases and can work it like any other.
    const listed = await svc.graphql<{ cases: { edges: Array<{ node: { id: string; playerId: string | null; kind: string; facts: string } }> } }>(
      `query($f: CaseFilter) { cases(filter: $f, first: 10) { edges { node { ${CASE_FIELDS} } } } }`,
      { f: { kind: "RECONCILIATION_MISMATCH", playerId } },
      complianceStaff,
    );
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.cases.edges).toHaveLength(2);
    expect(JSON.parse(listed.data!.cases.edges.find((e) => e.node.id === opened!.id)!.node.facts)).toMatchObject({ mismatchId: first.payload.mismatchId });
  });

  it("consumes a redelivered event once", async () => {
    const playerId = await registeredPlayer();
    const event = amountDiffersEvent(playerId);
    await svc.runtime.bus.publish([event]);
    await consumed(event.id);
    await svc.runtime.bus.publish([event]);
    // A later event of the same player is consumed after the redelivery: by then a second case would exist.
    const later = amountDiffersEvent(playerId);
    await svc.runtime.bus.publish([later]);
    await consumed(later.id);
    expect(await caseOf(event.payload.mismatchId)).toHaveLength(1);
    expect(await svc.runtime.prisma.auditLog.count({ where: { playerId, action: "CASE_OPENED" } })).toBe(2);
  });

  it("opens a case without a player when the PSP settled something no payment has, or the player is unknown here", async () => {
    const ghost = missingInternallyEvent();
    const unknownPlayer = amountDiffersEvent(randomUUID());
    await svc.runtime.bus.publish([ghost, unknownPlayer]);
    await consumed(ghost.id);
    await consumed(unknownPlayer.id);
    const [ghostCase] = await caseOf(ghost.payload.mismatchId);
    expect(ghostCase).toMatchObject({ playerId: null, kind: "RECONCILIATION_MISMATCH", status: "OPEN" });
    expect(ghostCase!.facts).toMatchObject({ mismatchKind: "MISSING_INTERNALLY", paymentId: null, expected: null, actual: { minor: "500", currency: "EUR" } });
    const [orphan] = await caseOf(unknownPlayer.payload.mismatchId);
    expect(orphan).toMatchObject({ playerId: null });
    expect(orphan!.facts).toMatchObject({ playerId: unknownPlayer.payload.playerId, paymentId: unknownPlayer.payload.paymentId });

    // Worked and resolved like any case; there is no SAR subject without a player.
    const ASSIGN = `mutation($c: ID!) { assignCase(caseId: $c, assigneeId: "finance-liaison") { status } }`;
    const RESOLVE = `mutation($c: ID!) { resolveCase(caseId: $c, outcome: NO_ACTION, summary: "PSP test transaction, confirmed by the PSP") { status playerId } }`;
    expect((await svc.graphql(ASSIGN, { c: ghostCase!.id }, complianceStaff)).errors).toBeUndefined();
    const resolved = await svc.graphql<{ resolveCase: { status: string; playerId: string | null } }>(RESOLVE, { c: ghostCase!.id }, complianceStaff);
    expect(resolved.data?.resolveCase).toEqual({ status: "RESOLVED", playerId: null });
    const sar = await svc.graphql(`query($c: ID!) { suspiciousActivityReportDraft(caseId: $c) { caseId } }`, { c: ghostCase!.id }, complianceStaff);
    expect(sar.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });

  it("adds finance's resolution from payments to the mismatch's case as evidence, once, and leaves the case to compliance", async () => {
    const playerId = await registeredPlayer();
    const mismatch = amountDiffersEvent(playerId);
    await svc.runtime.bus.publish([mismatch]);
    await consumed(mismatch.id);
    const resolved = mismatchResolvedEvent(mismatch.payload.mismatchId, playerId);
    await svc.runtime.bus.publish([resolved]);
    await consumed(resolved.id);
    await svc.runtime.bus.publish([resolved]); // redelivered
    const later = amountDiffersEvent(playerId);
    await svc.runtime.bus.publish([later]);
    await consumed(later.id);

    const [theCase] = await caseOf(mismatch.payload.mismatchId);
    expect(theCase!.status).toBe("OPEN");
    const notes = await svc.runtime.prisma.caseNote.findMany({ where: { caseId: theCase!.id } });
    expect(notes).toEqual([
      expect.objectContaining({
        kind: "EVIDENCE",
        author: "system:payments",
        reference: `mismatch:${mismatch.payload.mismatchId}`,
        body: `Finance resolved the mismatch in payments (staff ${resolved.payload.resolvedBy}, ${resolved.payload.resolvedAt}): PSP refunded the difference on 2 Dec`,
      }),
    ]);
    expect(await svc.runtime.prisma.auditLog.count({ where: { playerId, action: "CASE_NOTE_ADDED", actor: "system:payments" } })).toBe(1);
  });

  it("adds nothing to a case compliance already resolved, and has no case to write to before the mismatch's own event", async () => {
    const ghost = missingInternallyEvent();
    await svc.runtime.bus.publish([ghost]);
    await consumed(ghost.id);
    const [ghostCase] = await caseOf(ghost.payload.mismatchId);
    await svc.graphql(`mutation($c: ID!) { assignCase(caseId: $c, assigneeId: "finance-liaison") { status } }`, { c: ghostCase!.id }, complianceStaff);
    const closed = await svc.graphql(`mutation($c: ID!) { resolveCase(caseId: $c, outcome: NO_ACTION, summary: "Confirmed with the PSP") { status } }`, { c: ghostCase!.id }, complianceStaff);
    expect(closed.errors).toBeUndefined();

    const cases = new ComplianceCases(svc.runtime.prisma, undefined as never, () => {});
    const record = (mismatchId: string) => svc.runtime.prisma.$transaction((tx) => cases.recordReconciliationResolution(tx, mismatchResolvedEvent(mismatchId, null).payload, clock));
    expect(await record(ghost.payload.mismatchId)).toBe("case_resolved");
    expect(await svc.runtime.prisma.caseNote.count({ where: { caseId: ghostCase!.id } })).toBe(0);
    // The handler turns "no_case" into a failed delivery, so the bus brings the resolution back later.
    expect(await record(randomUUID())).toBe("no_case");
  });

  it("ignores a malformed event and cannot be opened by hand", async () => {
    const bad = { ...missingInternallyEvent(), payload: { mismatchId: "not-a-uuid" } };
    await svc.runtime.bus.publish([bad as never]);
    const good = missingInternallyEvent();
    await svc.runtime.bus.publish([good]);
    await consumed(good.id);
    expect(await svc.runtime.prisma.processedEvent.count({ where: { eventId: bad.id } })).toBe(0);

    const playerId = await registeredPlayer();
    const byHand = await svc.graphql(`mutation($p: ID!) { openCase(playerId: $p, kind: RECONCILIATION_MISMATCH, reason: "looks wrong") { id } }`, { p: playerId }, complianceStaff);
    expect(byHand.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "kind" });
    expect(await svc.runtime.prisma.complianceCase.count({ where: { playerId } })).toBe(0);
  });

  it("keeps a case about a player only for reconciliation (the database refuses a playerless case of another kind)", async () => {
    await expect(
      svc.runtime.prisma.complianceCase.create({
        data: { id: randomUUID(), playerId: null, kind: "OTHER", status: "OPEN", openKey: "x:OTHER", openedBy: "system", openedAt: clock, updatedAt: clock, facts: {}, windowStart: clock },
      }),
    ).rejects.toThrow(/compliance_case_player_present|check constraint/i);
  });
});
