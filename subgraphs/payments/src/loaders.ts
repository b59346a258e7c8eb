import DataLoader from "dataloader";
import type { Payment, PrismaClient, ReconciliationMismatch } from "./generated/prisma/client.ts";
import { isUuid } from "@casino/kernel/ids";
import { toConnection, type Connection, type KeysetPosition } from "@casino/kernel/graphql/pagination";
import { paymentsOfPlayers } from "./payment-queries.ts";

export interface PlayerPaymentsPage {
  playerId: string;
  take: number;
  cursor: KeysetPosition | undefined;
}

export interface PaymentsLoaders {
  paymentById: DataLoader<string, Payment | null>;
  paymentsOfPlayer: DataLoader<PlayerPaymentsPage, Connection<Payment>, string>;
  mismatchesOfRun: DataLoader<string, ReconciliationMismatch[]>;
}

/** One set per request, so every __resolveReference and list child becomes one query per batch. */
export function createLoaders(prisma: PrismaClient): PaymentsLoaders {
  return {
    paymentById: new DataLoader(async (ids) => {
      // A representation with a malformed id resolves to null instead of failing the whole batch.
      const valid = ids.filter(isUuid);
      const rows = valid.length > 0 ? await prisma.payment.findMany({ where: { id: { in: valid } } }) : [];
      const byId = new Map(rows.map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    paymentsOfPlayer: new DataLoader(
      async (pages) => {
        // Pages asked with the same size and cursor share one windowed query.
        const groups = new Map<string, PlayerPaymentsPage[]>();
        for (const page of pages) {
          const key = pageShape(page);
          groups.set(key, [...(groups.get(key) ?? []), page]);
        }
        const results = new Map<string, Connection<Payment>>();
        await Promise.all(
          [...groups.values()].map(async (group) => {
            const { take, cursor } = group[0]!;
            const playerIds = group.map((p) => p.playerId).filter(isUuid);
            const byPlayer = playerIds.length > 0 ? await paymentsOfPlayers(prisma, playerIds, take, cursor) : new Map<string, Payment[]>();
            for (const page of group) results.set(pageKey(page), toConnection(byPlayer.get(page.playerId) ?? [], take));
          }),
        );
        return pages.map((page) => results.get(pageKey(page))!);
      },
      { cacheKeyFn: pageKey },
    ),
    mismatchesOfRun: new DataLoader(async (runIds) => {
      const rows = await prisma.reconciliationMismatch.findMany({ where: { runId: { in: [...runIds] } }, orderBy: [{ lineNumber: "asc" }, { pspReference: "asc" }] });
      return runIds.map((id) => rows.filter((m) => m.runId === id));
    }),
  };
}

const pageShape = (page: PlayerPaymentsPage) => `${page.take}|${page.cursor?.createdAt.toISOString() ?? ""}|${page.cursor?.id ?? ""}`;
const pageKey = (page: PlayerPaymentsPage) => `${page.playerId}|${pageShape(page)}`;
