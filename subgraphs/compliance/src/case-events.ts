import { outboxRow } from "@casino/kernel/events/outbox";
import type { ComplianceCase, Prisma } from "./generated/prisma/client.ts";

type Tx = Prisma.TransactionClient;

/**
 * `compliance.case_opened` / `compliance.case_resolved`, written to the outbox in the transaction
 * that changed the case. The payload says that a case exists and how it ended, not its facts or
 * notes: those stay in compliance (an AML case must not reach anything player-facing).
 */
export async function recordCaseOpened(tx: Tx, c: ComplianceCase): Promise<void> {
  await tx.outboxEvent.create({
    data: outboxRow({
      type: "compliance.case_opened",
      aggregateId: c.id,
      playerId: c.playerId,
      payload: { caseId: c.id, playerId: c.playerId, kind: c.kind, openedBy: c.openedBy, openedAt: c.openedAt, ruleSetVersion: c.ruleSetVersion },
    }),
  });
}

export async function recordCaseResolved(tx: Tx, c: ComplianceCase): Promise<void> {
  await tx.outboxEvent.create({
    data: outboxRow({
      type: "compliance.case_resolved",
      aggregateId: c.id,
      playerId: c.playerId,
      payload: { caseId: c.id, playerId: c.playerId, kind: c.kind, outcome: c.outcome, resolvedAt: c.resolvedAt },
    }),
  });
}
