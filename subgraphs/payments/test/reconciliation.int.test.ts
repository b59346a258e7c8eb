import { randomUUID } from "node:crypto";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import { playerWithWallet, startDepositHarness, type DepositHarness } from "./support/deposit-harness.ts";

let h: DepositHarness;
beforeAll(async () => {
  h = await startDepositHarness();
}, 120_000);
afterAll(async () => {
  await h.stop();
});

const IMPORT = `mutation($psp: String!, $fileName: String!, $content: String!) {
  importSettlementFile(psp: $psp, fileName: $fileName, content: $content) {
    id psp fileSha256 periodStart periodEnd lines matched mismatchCount
    mismatches { id kind pspReference paymentId lineNumber expected { amount currency } actual { amount currency } detail resolvedAt }
  }
}`;
const RUNS = `query { reconciliationRuns(first: 50) { edges { node { id mismatchCount } } } }`;

interface Run {
  id: string;
  lines: number;
  matched: number;
  mismatchCount: number;
  mismatches: Array<{ id: string; kind: string; pspReference: string; paymentId: string | null; lineNumber: number | null; expected: { amount: string } | null; actual: { amount: string } | null }>;
}

/** Two card deposits through Nuvei (Stripe is down), settled and credited. */
async function settledNuveiDeposits(): Promise<Array<{ id: string; pspReference: string }>> {
  h.stripe.mode = "outage";
  const playerId = await playerWithWallet(h, "EUR");
  const token = await h.payments.tokens.player(playerId);
  const ids: string[] = [];
  for (const amount of ["10.00", "20.00"]) {
    const res = await h.payments.graphql<{ startDeposit: { payment: { id: string; psp: string } } }>(
      `mutation($input: StartDepositInput!) { startDeposit(input: $input) { payment { id psp } } }`,
      { input: { amount: { amount, currency: "EUR" }, method: "card", idempotencyKey: `k-${randomUUID()}` } },
      token,
    );
    expect(res.data!.startDeposit.payment.psp).toBe("nuvei");
    ids.push(res.data!.startDeposit.payment.id);
  }
  h.stripe.mode = "normal";
  const rows = () => h.payments.runtime.prisma.payment.findMany({ where: { id: { in: ids } } });
  await waitUntil("deposits credited", async () => (await rows()).every((p) => p.walletTransactionId !== null), 15_000);
  return (await rows()).map((p) => ({ id: p.id, pspReference: p.pspReference! }));
}

const today = () => new Date().toISOString().slice(0, 10);
const nuveiFile = (lines: string[]) => ["Transaction ID,Date,Type,Amount,Currency,Client Unique ID", ...lines].join("\n");

describe("importing a settlement file", () => {
  it("matches what agrees, reports each mismatch once, and changes nothing when imported again", async () => {
    const [a, b] = await settledNuveiDeposits();
    const deposits = [a!, b!].sort((x, y) => x.id.localeCompare(y.id));
    const mine = (await h.payments.runtime.prisma.payment.findMany({ where: { id: { in: deposits.map((d) => d.id) } } })).sort((x, y) => x.id.localeCompare(y.id));
    const [first, second] = mine;
    const content = nuveiFile([
      `${first!.pspReference},${today()} 10:00:00,Sale,${(Number(first!.amountMinor) / 100).toFixed(2)},EUR,${first!.id}`,
      `${second!.pspReference},${today()} 10:05:00,Sale,99.99,EUR,${second!.id}`,
      `unknown-${randomUUID()},${today()} 10:06:00,Sale,5.00,EUR,nobody`,
    ]);
    const finance = await h.payments.tokens.staff(["finance"]);
    const res = await h.payments.graphql<{ importSettlementFile: Run }>(IMPORT, { psp: "nuvei", fileName: "nuvei-settlement.csv", content }, finance);
    expect(res.errors).toBeUndefined();
    const run = res.data!.importSettlementFile;
    expect(run).toMatchObject({ lines: 3, matched: 1 });
    const kinds = run.mismatches.map((m) => m.kind);
    expect(kinds).toEqual(expect.arrayContaining(["AMOUNT_DIFFERS", "MISSING_INTERNALLY"]));
    expect(run.mismatches.find((m) => m.kind === "AMOUNT_DIFFERS")).toMatchObject({ paymentId: second!.id, lineNumber: 3, expected: { amount: (Number(second!.amountMinor) / 100).toFixed(2) }, actual: { amount: "99.99" } });
    // Other tests' settled Nuvei deposits of today are missing from this file: each one reported.
    const missingAtPsp = run.mismatches.filter((m) => m.kind === "MISSING_AT_PSP").map((m) => m.paymentId);
    expect(missingAtPsp).not.toContain(first!.id);
    expect(run.mismatchCount).toBe(run.mismatches.length);

    // What compliance receives to open a case per mismatch: the player when the payment is ours.
    const amountDiffers = run.mismatches.find((m) => m.kind === "AMOUNT_DIFFERS")!;
    const published = await h.payments.runtime.prisma.outboxEvent.findFirstOrThrow({ where: { type: "payments.reconciliation_mismatch", aggregateId: amountDiffers.id } });
    expect(published.playerId).toBe(second!.playerId);
    expect(published.payload).toEqual({
      mismatchId: amountDiffers.id,
      runId: run.id,
      psp: "nuvei",
      kind: "AMOUNT_DIFFERS",
      pspReference: second!.pspReference,
      paymentId: second!.id,
      playerId: second!.playerId,
      lineNumber: 3,
      expected: { minor: second!.amountMinor.toString(), currency: "EUR" },
      actual: { minor: "9999", currency: "EUR" },
      detail: expect.any(String),
    });
    const ghost = run.mismatches.find((m) => m.kind === "MISSING_INTERNALLY")!;
    const ghostEvent = await h.payments.runtime.prisma.outboxEvent.findFirstOrThrow({ where: { type: "payments.reconciliation_mismatch", aggregateId: ghost.id } });
    expect(ghostEvent.playerId).toBeNull();
    expect(ghostEvent.payload).toMatchObject({ paymentId: null, playerId: null, expected: null, actual: { minor: "500", currency: "EUR" }, lineNumber: 4 });

    const events = () => h.payments.runtime.prisma.outboxEvent.count({ where: { type: "payments.reconciliation_mismatch" } });
    const eventsBefore = await events();
    expect(eventsBefore).toBeGreaterThanOrEqual(run.mismatchCount);
    const again = await h.payments.graphql<{ importSettlementFile: Run }>(IMPORT, { psp: "nuvei", fileName: "renamed.csv", content }, finance);
    expect(again.data!.importSettlementFile.id).toBe(run.id);
    expect(await h.payments.runtime.prisma.reconciliationMismatch.count({ where: { runId: run.id } })).toBe(run.mismatchCount);
    expect(await events()).toBe(eventsBefore);
  });

  it("lets finance close each mismatch's case once, with what they found", async () => {
    const finance = await h.payments.tokens.staff(["finance"]);
    const content = nuveiFile([`ghost-${randomUUID()},${today()} 09:00:00,Sale,7.00,EUR,nobody`]);
    const run = (await h.payments.graphql<{ importSettlementFile: { id: string } }>(IMPORT, { psp: "nuvei", fileName: "ghost.csv", content }, finance)).data!.importSettlementFile;
    const mismatch = await h.payments.runtime.prisma.reconciliationMismatch.findFirstOrThrow({ where: { runId: run.id, kind: "MISSING_INTERNALLY" } });
    const OPEN = `query { openReconciliationMismatches(first: 100) { id } }`;
    const RESOLVE = `mutation($id: ID!, $resolution: String!) { resolveReconciliationMismatch(id: $id, resolution: $resolution) { id resolvedAt resolvedBy resolution } }`;
    const open = async () => (await h.payments.graphql<{ openReconciliationMismatches: Array<{ id: string }> }>(OPEN, {}, finance)).data!.openReconciliationMismatches.map((m) => m.id);
    expect(await open()).toContain(mismatch.id);
    const byCompliance = await h.payments.graphql(RESOLVE, { id: mismatch.id, resolution: "x".repeat(10) }, await h.payments.tokens.staff(["compliance"]));
    expect(byCompliance.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const staffId = randomUUID();
    const resolved = await h.payments.graphql<{ resolveReconciliationMismatch: { resolvedBy: string; resolution: string; resolvedAt: string } }>(
      RESOLVE,
      { id: mismatch.id, resolution: "test transaction of the PSP, not ours" },
      await h.payments.tokens.staff(["finance"], staffId),
    );
    expect(resolved.errors).toBeUndefined();
    expect(resolved.data!.resolveReconciliationMismatch).toMatchObject({ resolvedBy: staffId, resolution: "test transaction of the PSP, not ours", resolvedAt: expect.any(String) });
    expect(await open()).not.toContain(mismatch.id);
    // Compliance hears of it in the same transaction (the resolution becomes evidence on its case).
    const told = await h.payments.runtime.prisma.outboxEvent.findMany({ where: { type: "payments.reconciliation_mismatch_resolved", aggregateId: mismatch.id } });
    expect(told.map((e) => e.payload)).toEqual([{ mismatchId: mismatch.id, resolvedBy: staffId, resolvedAt: resolved.data!.resolveReconciliationMismatch.resolvedAt, resolution: "test transaction of the PSP, not ours" }]);
    const again = await h.payments.graphql(RESOLVE, { id: mismatch.id, resolution: "again" }, finance);
    expect(again.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(await h.payments.runtime.prisma.outboxEvent.count({ where: { type: "payments.reconciliation_mismatch_resolved", aggregateId: mismatch.id } })).toBe(1);
  });

  it("refuses a file that is not in the PSP's format, naming the line, and writes nothing", async () => {
    const before = await h.payments.runtime.prisma.reconciliationRun.count();
    const res = await h.payments.graphql(IMPORT, { psp: "nuvei", fileName: "bad.csv", content: nuveiFile(["1,2026-11-29 10:00:00,Sale,12.345,EUR,x"]) }, await h.payments.tokens.staff(["finance"]));
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "content" });
    expect(res.errors?.[0]?.message).toMatch(/line 2/);
    const unknownPsp = await h.payments.graphql(IMPORT, { psp: "paypal", fileName: "x.csv", content: "a" }, await h.payments.tokens.staff(["finance"]));
    expect(unknownPsp.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "psp" });
    expect(await h.payments.runtime.prisma.reconciliationRun.count()).toBe(before);
  });

  it("is for finance to import, and for finance and compliance to read", async () => {
    const content = nuveiFile([`r-${randomUUID()},${today()} 10:00:00,Sale,1.00,EUR,x`]);
    for (const token of [await h.payments.tokens.staff(["compliance"]), await h.payments.tokens.player()]) {
      const res = await h.payments.graphql(IMPORT, { psp: "nuvei", fileName: "x.csv", content }, token);
      expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const runs = await h.payments.graphql<{ reconciliationRuns: { edges: unknown[] } }>(RUNS, {}, await h.payments.tokens.staff(["compliance"]));
    expect(runs.errors).toBeUndefined();
    expect((await h.payments.graphql(RUNS, {}, await h.payments.tokens.staff(["support"]))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
