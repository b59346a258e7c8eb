import { formatMoney } from "@casino/kernel/money";
import type { AuditLog, CaseNote, ComplianceCase, MoneyMovement, PlayerRestrictions } from "./generated/prisma/client.ts";

/**
 * A suspicious activity report DRAFT built from what compliance holds about a case: for the
 * nominated officer to check, complete (what compliance cannot know: names, addresses, the
 * narrative) and file. Pure: the same inputs give the same draft.
 */

export interface SarInputs {
  case: ComplianceCase;
  notes: readonly CaseNote[];
  subject: PlayerRestrictions;
  /** The player's money movements from the case's window start to its resolution (or now). */
  movements: readonly MoneyMovement[];
  /** The case's audit entries, oldest first. */
  timeline: readonly AuditLog[];
  transactionsTo: Date;
  generatedAt: Date;
  generatedBy: string;
}

export interface SarDraft {
  json: ReturnType<typeof sarJson>;
  text: string;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function buildSarDraft(input: SarInputs): SarDraft {
  const json = sarJson(input);
  return { json, text: renderText(json) };
}

function sarJson(input: SarInputs) {
  const c = input.case;
  const totals = new Map<string, { deposits: bigint; withdrawals: bigint }>();
  for (const m of input.movements) {
    const t = totals.get(m.currency) ?? { deposits: 0n, withdrawals: 0n };
    if (m.direction === "DEPOSIT") t.deposits += m.amount;
    else t.withdrawals += m.amount;
    totals.set(m.currency, t);
  }
  return {
    status: "DRAFT - not filed",
    generatedAt: input.generatedAt.toISOString(),
    generatedBy: input.generatedBy,
    case: {
      id: c.id,
      kind: c.kind,
      status: c.status,
      openedAt: c.openedAt.toISOString(),
      openedBy: c.openedBy,
      assigneeId: c.assigneeId,
      resolvedAt: iso(c.resolvedAt),
      outcome: c.outcome,
      resolutionSummary: c.resolutionSummary,
      ruleSetVersion: c.ruleSetVersion,
    },
    subject: {
      playerId: input.subject.playerId,
      jurisdiction: input.subject.jurisdiction,
      dateOfBirth: input.subject.dateOfBirth.toISOString().slice(0, 10),
      accountCurrency: input.subject.currency,
      ageVerified: input.subject.ageVerified,
      identityVerified: input.subject.identityVerified,
      note: "Name, address and identity documents are held by the player service; add them before filing.",
    },
    grounds: {
      kind: c.kind,
      facts: c.facts,
      notes: input.notes.map((n) => ({ kind: n.kind, body: n.body, reference: n.reference, author: n.author, at: n.createdAt.toISOString() })),
    },
    transactions: {
      from: c.windowStart.toISOString(),
      to: input.transactionsTo.toISOString(),
      items: input.movements.map((m) => ({
        transactionId: m.transactionId,
        direction: m.direction,
        currency: m.currency,
        amountMinor: m.amount.toString(),
        amount: formatMoney(m.amount, m.currency),
        occurredAt: m.occurredAt.toISOString(),
      })),
      totals: [...totals].map(([currency, t]) => ({
        currency,
        depositsMinor: t.deposits.toString(),
        paidWithdrawalsMinor: t.withdrawals.toString(),
        deposits: formatMoney(t.deposits, currency),
        paidWithdrawals: formatMoney(t.withdrawals, currency),
      })),
    },
    timeline: input.timeline.map((e) => ({ at: e.occurredAt.toISOString(), actor: e.actor, action: e.action, details: e.details })),
  };
}

function renderText(d: ReturnType<typeof sarJson>): string {
  const lines = [
    `SUSPICIOUS ACTIVITY REPORT - ${d.status}`,
    `Generated ${d.generatedAt} by ${d.generatedBy}`,
    "",
    "CASE",
    `  Id: ${d.case.id}`,
    `  Kind: ${d.case.kind}; status: ${d.case.status}; opened ${d.case.openedAt} by ${d.case.openedBy}`,
    `  Rule set version: ${d.case.ruleSetVersion ?? "none"}`,
    ...(d.case.outcome ? [`  Outcome: ${d.case.outcome} (${d.case.resolvedAt ?? ""}): ${d.case.resolutionSummary ?? ""}`] : []),
    "",
    "SUBJECT",
    `  Player id: ${d.subject.playerId}`,
    `  Jurisdiction: ${d.subject.jurisdiction}`,
    `  Date of birth: ${d.subject.dateOfBirth}`,
    `  Account currency: ${d.subject.accountCurrency ?? "unknown"}`,
    `  Age verified: ${d.subject.ageVerified ? "yes" : "no"}; identity verified: ${d.subject.identityVerified ? "yes" : "no"}`,
    `  ${d.subject.note}`,
    "",
    "GROUNDS",
    `  Facts: ${JSON.stringify(d.grounds.facts)}`,
    ...(d.grounds.notes.length ? d.grounds.notes.map((n) => `  ${n.at} ${n.kind} by ${n.author}: ${n.body}${n.reference ? ` [${n.reference}]` : ""}`) : ["  No notes."]),
    "",
    `TRANSACTIONS ${d.transactions.from} to ${d.transactions.to}`,
    ...(d.transactions.items.length ? d.transactions.items.map((t) => `  ${t.occurredAt} ${t.direction.padEnd(10)} ${t.amount} ${t.currency} (${t.transactionId})`) : ["  None."]),
    ...d.transactions.totals.map((t) => `  Total ${t.currency}: deposits ${t.deposits}, paid withdrawals ${t.paidWithdrawals}`),
    "",
    "TIMELINE",
    ...d.timeline.map((e) => `  ${e.at} ${e.action} by ${e.actor}`),
  ];
  return `${lines.join("\n")}\n`;
}
