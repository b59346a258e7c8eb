import { randomUUID } from "node:crypto";
import { Buffer } from "node:buffer";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import { appendAudit, actorText, type Actor } from "./audit.ts";
import { recordCaseOpened, recordCaseResolved } from "./case-events.ts";
import { applyCaseChange, decideCaseTransition, openKeyOf, validateReason, type CaseCommand, type CaseChange } from "./cases.ts";
import type { CaseKind, CaseNoteKind, CaseStatus } from "./generated/graphql.ts";
import type { CaseNote, ComplianceCase, Prisma, PrismaClient } from "./generated/prisma/client.ts";
import type { ReconciliationMismatchPayload, ReconciliationMismatchResolvedPayload } from "./events.ts";
import { detectAll, movementsNeededFrom, parseMonitoringRules, type Detection, type Movement } from "./monitoring.ts";
import type { RuleBook } from "./rulebook.ts";
import { buildSarDraft, type SarDraft } from "./sar.ts";

type Tx = Prisma.TransactionClient;

const SYSTEM: Actor = { kind: "system", id: "monitoring" };
const RECONCILIATION: Actor = { kind: "system", id: "reconciliation" };
/** Finance's resolution of a mismatch, as it arrives from payments. */
const PAYMENTS: Actor = { kind: "system", id: "payments" };
/** The unique key of an open reconciliation case: one per mismatch. */
export const reconciliationOpenKey = (mismatchId: string) => `reconciliation:${mismatchId}`;
/** A case opened by hand covers the money movements of this many days before it (SAR draft). */
const MANUAL_CASE_LOOKBACK_DAYS = 90;

/** What a new case is opened with: a detection's, or staff's reason. */
type CaseOpening = Pick<Detection, "windowStart" | "facts"> & { kind: CaseKind; openKey?: string };

export interface CaseFilter {
  status?: CaseStatus | null;
  kind?: CaseKind | null;
  playerId?: string | null;
  /** The kinds the caller may see (visibleCaseKinds); a kind asked for outside them matches nothing. */
  visibleKinds?: readonly string[] | "all";
}

export interface CasePage {
  edges: Array<{ cursor: string; node: ComplianceCase }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const cursorOf = (c: ComplianceCase) => Buffer.from(`${c.openedAt.toISOString()}|${c.id}`).toString("base64url");

function parseCursor(after: string): { openedAt: Date; id: string } {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/.exec(Buffer.from(after, "base64url").toString());
  const openedAt = match?.[1] ? new Date(match[1]) : undefined;
  if (!match?.[2] || !openedAt || Number.isNaN(openedAt.getTime())) throw badInput("Invalid cursor", "after");
  return { openedAt, id: match[2] };
}

/**
 * Compliance cases: opened by the monitoring detections (in the transaction that records the
 * money movement) or by staff, then assigned, annotated and resolved by staff. Every change is one
 * transaction with its audit entry and, for opening and resolving, its outbox event.
 */
export class ComplianceCases {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly rules: RuleBook,
    private readonly publishOutbox: () => void,
  ) {}

  /**
   * Runs every detection for a movement just recorded, inside the caller's transaction (the
   * event consumer's consumeOnce, so a redelivered event opens nothing twice). Returns how many
   * cases were opened.
   */
  async monitorMovement(tx: Tx, playerId: string, trigger: Movement, now: Date): Promise<number> {
    // One player's movements are monitored one at a time: two processed at once would each miss
    // the other and a crossing made of both would go unseen.
    await tx.$queryRaw`SELECT 1 FROM player_restrictions WHERE player_id = ${playerId}::uuid FOR UPDATE`;
    const player = await tx.playerRestrictions.findUnique({ where: { playerId } });
    // No deposit passes the deposit check before compliance has the player, so there is nothing
    // to monitor yet; the movement itself is recorded and counts from the next one on.
    if (!player) return 0;
    const ruleSet = this.rules.inForce(player.jurisdiction, now);
    if (!ruleSet) return 0;
    const rules = parseMonitoringRules(ruleSet);
    const movements = await tx.moneyMovement.findMany({
      where: { playerId, currency: trigger.currency, occurredAt: { gte: movementsNeededFrom(trigger, rules, now) } },
      orderBy: { occurredAt: "asc" },
    });
    let opened = 0;
    for (const detection of detectAll(movements, trigger, rules, now)) {
      if (await this.insertCase(tx, playerId, detection, { id: ruleSet.id, version: ruleSet.version }, SYSTEM, now)) opened++;
    }
    return opened;
  }

  /**
   * Opens one case for a reconciliation mismatch payments reported, inside the consumer's
   * transaction (consumeOnce: a redelivered event opens nothing twice; the open key too keeps one
   * case per mismatch). The case is about the player when the mismatch concerns a payment of a
   * player compliance knows; otherwise it has no player, and the facts keep what payments said.
   */
  async openReconciliationCase(tx: Tx, mismatch: ReconciliationMismatchPayload, reportedAt: Date, now: Date): Promise<ComplianceCase | null> {
    let playerId = mismatch.playerId ?? null;
    if (playerId && !(await tx.playerRestrictions.findUnique({ where: { playerId }, select: { playerId: true } }))) playerId = null;
    const opening: CaseOpening = {
      kind: "RECONCILIATION_MISMATCH",
      openKey: reconciliationOpenKey(mismatch.mismatchId),
      windowStart: reportedAt < now ? reportedAt : now,
      facts: {
        source: "payments.reconciliation_mismatch",
        mismatchId: mismatch.mismatchId,
        runId: mismatch.runId,
        paymentId: mismatch.paymentId,
        playerId: mismatch.playerId ?? null,
        psp: mismatch.psp,
        mismatchKind: mismatch.kind,
        pspReference: mismatch.pspReference,
        lineNumber: mismatch.lineNumber ?? null,
        expected: mismatch.expected ?? null,
        actual: mismatch.actual ?? null,
        detail: mismatch.detail,
      },
    };
    return this.insertCase(tx, playerId, opening, null, RECONCILIATION, now);
  }

  /**
   * Finance's resolution of a mismatch, added as evidence to its case (author system:payments) and
   * audited; the case stays with compliance staff, who resolve it. Returns what became of it:
   * "recorded", "case_resolved" when compliance had already resolved the case (nothing is added to a
   * final case), or "no_case" when the mismatch's case is not here (yet: the caller retries).
   */
  async recordReconciliationResolution(tx: Tx, resolved: ReconciliationMismatchResolvedPayload, now: Date): Promise<"recorded" | "case_resolved" | "no_case"> {
    const found = await tx.complianceCase.findFirst({
      where: { kind: "RECONCILIATION_MISMATCH", facts: { path: ["mismatchId"], equals: resolved.mismatchId } },
      select: { id: true },
    });
    if (!found) return "no_case";
    await tx.$queryRaw`SELECT 1 FROM compliance_case WHERE id = ${found.id}::uuid FOR UPDATE`;
    const current = await tx.complianceCase.findUniqueOrThrow({ where: { id: found.id } });
    if (current.status === "RESOLVED") return "case_resolved";
    const body = `Finance resolved the mismatch in payments (staff ${resolved.resolvedBy}, ${resolved.resolvedAt}): ${resolved.resolution}`;
    const change = decideCaseTransition(current, { type: "ADD_NOTE", kind: "EVIDENCE", body, reference: `mismatch:${resolved.mismatchId}` });
    if (change.type !== "NOTE_ADDED") throw new Error(`unexpected change ${change.type}`);
    const note = await tx.caseNote.create({ data: { id: randomUUID(), caseId: current.id, kind: change.kind, body: change.body, reference: change.reference, author: actorText(PAYMENTS), createdAt: now } });
    await tx.complianceCase.update({ where: { id: current.id }, data: { updatedAt: now } });
    await appendAudit(tx, PAYMENTS, "CASE_NOTE_ADDED", current.playerId, { caseId: current.id, noteId: note.id, kind: note.kind, reference: note.reference }, now);
    return "recorded";
  }

  /** Opens a case unless one of its kind is open for the player (or its open key is taken); null when one is. */
  private async insertCase(tx: Tx, playerId: string | null, detection: CaseOpening, ruleSet: { id: string; version: number } | null, actor: Actor, now: Date): Promise<ComplianceCase | null> {
    const id = randomUUID();
    const created = await tx.complianceCase.createMany({
      data: [
        {
          id,
          playerId,
          kind: detection.kind,
          status: "OPEN",
          openKey: detection.openKey ?? openKeyOf(playerId!, detection.kind),
          openedBy: actorText(actor),
          openedAt: now,
          updatedAt: now,
          facts: detection.facts as Prisma.InputJsonObject,
          windowStart: detection.windowStart,
          ruleSetId: ruleSet?.id ?? null,
          ruleSetVersion: ruleSet?.version ?? null,
        },
      ],
      skipDuplicates: true,
    });
    if (created.count === 0) return null;
    const row = await tx.complianceCase.findUniqueOrThrow({ where: { id } });
    await appendAudit(tx, actor, "CASE_OPENED", playerId, { caseId: id, kind: row.kind, ruleSetVersion: row.ruleSetVersion }, now);
    await recordCaseOpened(tx, row);
    return row;
  }

  async openCase(playerId: string, kind: CaseKind, reason: string, actor: Actor, now: Date): Promise<ComplianceCase> {
    const trimmed = validateReason(reason);
    if (kind === "RECONCILIATION_MISMATCH") throw badInput("Reconciliation cases are opened from payments' reconciliation, one per mismatch", "kind");
    const opened = await this.prisma.$transaction(async (tx) => {
      const player = await tx.playerRestrictions.findUnique({ where: { playerId } });
      if (!player) throw notFound("Player restrictions (registration not processed yet)");
      const ruleSet = this.rules.inForce(player.jurisdiction, now);
      const opening: CaseOpening = {
        kind,
        windowStart: new Date(now.getTime() - MANUAL_CASE_LOOKBACK_DAYS * 86_400_000),
        facts: { reason: trimmed, openedByHand: true },
      };
      const row = await this.insertCase(tx, playerId, opening, ruleSet ? { id: ruleSet.id, version: ruleSet.version } : null, actor, now);
      if (!row) throw appError("CONFLICT", `The player already has an open ${kind} case`);
      return row;
    });
    this.publishOutbox();
    return opened;
  }

  async assignCase(caseId: string, assigneeId: string, actor: Actor, now: Date): Promise<ComplianceCase> {
    return this.transition(caseId, { type: "ASSIGN", assigneeId }, actor, now);
  }

  async resolveCase(caseId: string, outcome: ComplianceCase["outcome"], summary: string, actor: Actor, now: Date): Promise<ComplianceCase> {
    const resolved = await this.transition(caseId, { type: "RESOLVE", outcome, summary }, actor, now);
    this.publishOutbox();
    return resolved;
  }

  async addNote(caseId: string, kind: CaseNoteKind, body: string, reference: string | null, actor: Actor, now: Date): Promise<CaseNote> {
    return this.prisma.$transaction(async (tx) => {
      const current = await this.lockCase(tx, caseId);
      const change = decideCaseTransition(current, { type: "ADD_NOTE", kind, body, reference });
      if (change.type !== "NOTE_ADDED") throw new Error(`unexpected change ${change.type}`);
      const note = await tx.caseNote.create({ data: { id: randomUUID(), caseId, kind: change.kind, body: change.body, reference: change.reference, author: actorText(actor), createdAt: now } });
      await tx.complianceCase.update({ where: { id: caseId }, data: { updatedAt: now } });
      await appendAudit(tx, actor, "CASE_NOTE_ADDED", current.playerId, { caseId, noteId: note.id, kind: note.kind, reference: note.reference }, now);
      return note;
    });
  }

  private async lockCase(tx: Tx, caseId: string): Promise<ComplianceCase> {
    await tx.$queryRaw`SELECT 1 FROM compliance_case WHERE id = ${caseId}::uuid FOR UPDATE`;
    const row = await tx.complianceCase.findUnique({ where: { id: caseId } });
    if (!row) throw notFound("Case");
    return row;
  }

  private transition(caseId: string, command: CaseCommand, actor: Actor, now: Date): Promise<ComplianceCase> {
    return this.prisma.$transaction(async (tx) => {
      const current = await this.lockCase(tx, caseId);
      const change = decideCaseTransition(current, command);
      const next = applyCaseChange(current, change);
      const updated = await tx.complianceCase.update({ where: { id: caseId }, data: { ...this.columnsOf(change, now), status: next.status, assigneeId: next.assigneeId, updatedAt: now } });
      await appendAudit(tx, actor, `CASE_${change.type}`, current.playerId, { caseId, ...change }, now);
      if (change.type === "RESOLVED") await recordCaseResolved(tx, updated);
      return updated;
    });
  }

  private columnsOf(change: CaseChange, now: Date): Prisma.ComplianceCaseUpdateInput {
    switch (change.type) {
      case "RESOLVED":
        return { openKey: null, resolvedAt: now, outcome: change.outcome, resolutionSummary: change.summary };
      case "ASSIGNED":
      case "NOTE_ADDED":
        return {};
      default: {
        const unknown: never = change;
        throw new Error(`unknown case change ${JSON.stringify(unknown)}`);
      }
    }
  }

  async list(filter: CaseFilter, first: number, after: string | null | undefined): Promise<CasePage> {
    const from = after ? parseCursor(after) : undefined;
    const rows = await this.prisma.complianceCase.findMany({
      where: {
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(filter.visibleKinds && filter.visibleKinds !== "all" ? { AND: [{ kind: { in: [...filter.visibleKinds] as CaseKind[] } }] } : {}),
        ...(filter.playerId ? { playerId: filter.playerId } : {}),
        ...(from ? { OR: [{ openedAt: { lt: from.openedAt } }, { openedAt: from.openedAt, id: { lt: from.id } }] } : {}),
      },
      orderBy: [{ openedAt: "desc" }, { id: "desc" }],
      take: first + 1,
    });
    const edges = rows.slice(0, first).map((node) => ({ cursor: cursorOf(node), node }));
    return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  async suspiciousActivityReportDraft(caseId: string, actor: Actor, now: Date): Promise<SarDraft & { generatedAt: Date }> {
    return this.prisma.$transaction(async (tx) => {
      const c = await tx.complianceCase.findUnique({ where: { id: caseId }, include: { notes: { orderBy: { seq: "asc" } }, player: true } });
      if (!c) throw notFound("Case");
      if (!c.playerId || !c.player) throw appError("CONFLICT", "This case concerns no known player, so a suspicious activity report has no subject");
      const transactionsTo = c.resolvedAt ?? now;
      const movements = await tx.moneyMovement.findMany({
        where: { playerId: c.playerId, occurredAt: { gte: c.windowStart, lte: transactionsTo } },
        orderBy: [{ occurredAt: "asc" }, { transactionId: "asc" }],
      });
      const timeline = await tx.auditLog.findMany({ where: { playerId: c.playerId, details: { path: ["caseId"], equals: caseId } }, orderBy: { seq: "asc" } });
      const { notes, player: _player, ...theCase } = c;
      const draft = buildSarDraft({ case: { ...theCase, playerId: c.playerId }, notes, subject: c.player, movements, timeline, transactionsTo, generatedAt: now, generatedBy: actorText(actor) });
      await appendAudit(tx, actor, "SAR_DRAFT_EXPORTED", c.playerId, { caseId }, now);
      return { ...draft, generatedAt: now };
    });
  }
}
