import type { Prisma } from "./generated/prisma/client.ts";
import { registrationDelta, transactionDeltas, type DailyReportDelta, type PostedTransaction, type Registration } from "./aggregate.ts";

type Tx = Prisma.TransactionClient;

/**
 * Applies events to the report tables inside the consumer's dedupe transaction. Every write is an
 * upsert whose update adds to the stored value in the database (never read-modify-write in code),
 * so concurrent consumers of the same group cannot lose each other's increments.
 */
export async function projectTransaction(tx: Tx, posted: PostedTransaction): Promise<void> {
  const { daily, player } = transactionDeltas(posted);
  await addToDailyReport(tx, daily);
  // The activity row first: totals reference it, and a transaction may precede the registration.
  await tx.$executeRaw`
    INSERT INTO player_activity (player_id, transaction_count, last_activity_at, updated_at)
    VALUES (${player.playerId}::uuid, ${player.transactionCount}, ${posted.occurredAt}::timestamptz, now())
    ON CONFLICT (player_id) DO UPDATE SET
      transaction_count = player_activity.transaction_count + EXCLUDED.transaction_count,
      last_activity_at = GREATEST(player_activity.last_activity_at, EXCLUDED.last_activity_at),
      updated_at = EXCLUDED.updated_at`;
  await tx.$executeRaw`
    INSERT INTO player_totals (player_id, currency, deposits_minor, withdrawals_minor, stakes_minor, wins_minor,
                               manual_adjustments_minor, transaction_count, updated_at)
    VALUES (${player.playerId}::uuid, ${player.currency}, ${player.depositsMinor}, ${player.withdrawalsMinor},
            ${player.stakesMinor}, ${player.winsMinor}, ${player.manualAdjustmentsMinor}, ${player.transactionCount}, now())
    ON CONFLICT (player_id, currency) DO UPDATE SET
      deposits_minor = player_totals.deposits_minor + EXCLUDED.deposits_minor,
      withdrawals_minor = player_totals.withdrawals_minor + EXCLUDED.withdrawals_minor,
      stakes_minor = player_totals.stakes_minor + EXCLUDED.stakes_minor,
      wins_minor = player_totals.wins_minor + EXCLUDED.wins_minor,
      manual_adjustments_minor = player_totals.manual_adjustments_minor + EXCLUDED.manual_adjustments_minor,
      transaction_count = player_totals.transaction_count + EXCLUDED.transaction_count,
      updated_at = EXCLUDED.updated_at`;
}

/**
 * Records the registration on the player's activity and counts it in the day's report, once per
 * player: a second registration event for a known player (another event id) counts nothing.
 */
export async function projectRegistration(tx: Tx, registration: Registration): Promise<void> {
  const firstTime = await tx.$queryRaw<Array<{ player_id: string }>>`
    INSERT INTO player_activity (player_id, registered_at, currency, updated_at)
    VALUES (${registration.playerId}::uuid, ${registration.occurredAt}::timestamptz, ${registration.currency}, now())
    ON CONFLICT (player_id) DO UPDATE SET
      registered_at = EXCLUDED.registered_at,
      currency = EXCLUDED.currency,
      updated_at = EXCLUDED.updated_at
    WHERE player_activity.registered_at IS NULL
    RETURNING player_id::text`;
  if (firstTime.length === 0) return;
  await addToDailyReport(tx, registrationDelta(registration));
}

async function addToDailyReport(tx: Tx, d: DailyReportDelta): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO daily_report (date, currency, deposits_minor, withdrawals_minor, stakes_minor, wins_minor,
                              manual_adjustments_minor, transaction_count, registrations, updated_at)
    VALUES (${d.date}::date, ${d.currency}, ${d.depositsMinor}, ${d.withdrawalsMinor}, ${d.stakesMinor}, ${d.winsMinor},
            ${d.manualAdjustmentsMinor}, ${d.transactionCount}, ${d.registrations}, now())
    ON CONFLICT (date, currency) DO UPDATE SET
      deposits_minor = daily_report.deposits_minor + EXCLUDED.deposits_minor,
      withdrawals_minor = daily_report.withdrawals_minor + EXCLUDED.withdrawals_minor,
      stakes_minor = daily_report.stakes_minor + EXCLUDED.stakes_minor,
      wins_minor = daily_report.wins_minor + EXCLUDED.wins_minor,
      manual_adjustments_minor = daily_report.manual_adjustments_minor + EXCLUDED.manual_adjustments_minor,
      transaction_count = daily_report.transaction_count + EXCLUDED.transaction_count,
      registrations = daily_report.registrations + EXCLUDED.registrations,
      updated_at = EXCLUDED.updated_at`;
}
