import { Prisma, type Payment, type PrismaClient } from "./generated/prisma/client.ts";
import type { KeysetPosition } from "@casino/kernel/graphql/pagination";

/**
 * The first `take + 1` payments of each player after `cursor`, newest first, in one query for all
 * of them (a window per player), so resolving many players' payments costs two queries.
 */
export async function paymentsOfPlayers(
  prisma: PrismaClient,
  playerIds: readonly string[],
  take: number,
  cursor: KeysetPosition | undefined,
): Promise<Map<string, Payment[]>> {
  const ranked = await prisma.$queryRaw<Array<{ id: string; player_id: string }>>`
    SELECT id::text AS id, player_id::text AS player_id
      FROM (SELECT id, player_id,
                   ROW_NUMBER() OVER (PARTITION BY player_id ORDER BY created_at DESC, id DESC) AS position
              FROM payment
             WHERE player_id IN (${Prisma.join(playerIds.map((id) => Prisma.sql`${id}::uuid`))})
               ${cursor ? Prisma.sql`AND (created_at, id) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)` : Prisma.empty}
           ) AS ranked
     WHERE position <= ${take + 1}
     ORDER BY player_id, position`;
  const payments = await prisma.payment.findMany({ where: { id: { in: ranked.map((r) => r.id) } } });
  const byId = new Map(payments.map((p) => [p.id, p]));
  const byPlayer = new Map<string, Payment[]>(playerIds.map((id) => [id, []]));
  for (const { id, player_id } of ranked) {
    const payment = byId.get(id);
    if (payment) byPlayer.get(player_id)?.push(payment);
  }
  return byPlayer;
}
