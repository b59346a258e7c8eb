import { outboxRow } from "@casino/kernel/events/outbox";
import type { Prisma } from "./generated/prisma/client.ts";
import type { RestrictionsView } from "./views.ts";

type Tx = Prisma.TransactionClient;

/** Why a player's restrictions changed; carried by `compliance.restrictions_changed`. */
export type RestrictionsCause =
  | "PLAYER_REGISTERED"
  | "KYC_CHANGED"
  | "TIME_OUT"
  | "SELF_EXCLUSION"
  | "BLOCKED"
  | "UNBLOCKED"
  | "DEPOSIT_LIMIT_CHANGED"
  | "GAMSTOP_CHECKED";

/** Writes the decision now in force to the outbox, in the transaction that changed it. */
export async function recordRestrictionsChanged(tx: Tx, view: RestrictionsView, cause: RestrictionsCause, now: Date): Promise<void> {
  await tx.outboxEvent.create({
    data: outboxRow({
      type: "compliance.restrictions_changed",
      aggregateId: view.playerId,
      playerId: view.playerId,
      payload: {
        playerId: view.playerId,
        jurisdiction: view.jurisdiction,
        canDeposit: view.decision.canDeposit,
        canPlay: view.decision.canPlay,
        reasons: view.decision.reasons,
        selfExcludedUntil: view.selfExcludedUntil?.toISOString() ?? null,
        timedOutUntil: view.timedOutUntil?.toISOString() ?? null,
        ruleSetId: view.ruleSet?.id ?? null,
        ruleSetVersion: view.ruleSet?.version ?? null,
        decidedAt: now.toISOString(),
        cause,
      },
    }),
  });
}
