/**
 * Pure reporting rules: what one wallet transaction or one registration adds to the daily report
 * and to the player's totals. No database, no clock; the projection applies these deltas.
 */
import { WALLET_TRANSACTION_TYPES, type WalletTransactionType } from "@casino/wallet-client/protocol";

// The wallet's own list (its published protocol): a new transaction type reaches reporting with it.
export { WALLET_TRANSACTION_TYPES, type WalletTransactionType } from "@casino/wallet-client/protocol";

export const isWalletTransactionType = (type: string): type is WalletTransactionType =>
  (WALLET_TRANSACTION_TYPES as readonly string[]).includes(type);

/**
 * Money sums in minor units, as the operator sees them: stakes and withdrawals are positive.
 * Stakes and wins include bonus-funded play; withdrawals are what was paid out.
 */
export interface Sums {
  depositsMinor: bigint;
  withdrawalsMinor: bigint;
  stakesMinor: bigint;
  winsMinor: bigint;
  /** Signed: credits to players minus debits. */
  manualAdjustmentsMinor: bigint;
}

export const NO_SUMS: Readonly<Sums> = Object.freeze({
  depositsMinor: 0n,
  withdrawalsMinor: 0n,
  stakesMinor: 0n,
  winsMinor: 0n,
  manualAdjustmentsMinor: 0n,
});

/**
 * What one wallet transaction did to the player's three balances in its currency, each a signed
 * change in minor units: cash, bonus money, and reserved funds (held for a pending withdrawal).
 */
export interface BalanceChanges {
  /** Signed change of the player's cash. */
  amountMinor: bigint;
  /** Signed change of the player's bonus balance; 0 for events published before the wallet had one. */
  bonusAmountMinor: bigint;
  /** Signed change of the funds reserved for withdrawals; 0 for events published before reservations. */
  reservedAmountMinor: bigint;
}

/** A posted wallet transaction as reporting reads it. */
export interface PostedTransaction extends BalanceChanges {
  type: WalletTransactionType;
  playerId: string;
  currency: string;
  occurredAt: Date;
}

export interface Registration {
  playerId: string;
  currency: string;
  occurredAt: Date;
}

export interface DailyReportDelta extends Sums {
  /** UTC calendar date of the event, yyyy-mm-dd. */
  date: string;
  currency: string;
  transactionCount: number;
  registrations: number;
}

export interface PlayerTotalsDelta extends Sums {
  playerId: string;
  currency: string;
  transactionCount: number;
}

/** The UTC calendar day an instant belongs to: reports are keyed by the event's occurredAt. */
export const utcDate = (instant: Date): string => instant.toISOString().slice(0, 10);

export function addSums(a: Sums, b: Sums): Sums {
  return {
    depositsMinor: a.depositsMinor + b.depositsMinor,
    withdrawalsMinor: a.withdrawalsMinor + b.withdrawalsMinor,
    stakesMinor: a.stakesMinor + b.stakesMinor,
    winsMinor: a.winsMinor + b.winsMinor,
    manualAdjustmentsMinor: a.manualAdjustmentsMinor + b.manualAdjustmentsMinor,
  };
}

function assertNever(type: never): never {
  throw new Error(`unhandled wallet transaction type ${JSON.stringify(type)}`);
}

/**
 * What one transaction adds to the sums, from its signed changes of the player's cash, bonus and
 * reserved balances. Money the player hands over is negative for the player and counted negated.
 *
 * - Game play counts all money staked, cash and bonus alike (GGR as regulators define it): a stake
 *   is -(cash + bonus), a win is cash + bonus (a win follows the funding of its stake).
 * - A rollback reverses a stake: cash + bonus coming back is a refunded stake (0 for a tombstone of
 *   a stake not seen yet). Taken back instead (a protocol rolling back a win), it reduces the wins.
 * - A withdrawal counts when it is paid, at WITHDRAWAL_COMMIT: the whole reservation leaves reserved
 *   funds and the part not paid is released back to cash, so the money paid is -(cash + reserved).
 *   An event without reservedAmountMinor (before reservations) carries -paid in cash: the same rule.
 * - Deposits and manual adjustments are cash.
 */
export function sumsOfTransaction(type: WalletTransactionType, changes: BalanceChanges): Sums {
  const { amountMinor: cash, bonusAmountMinor: bonus, reservedAmountMinor: reserved } = changes;
  const played = cash + bonus;
  switch (type) {
    case "STAKE":
      return { ...NO_SUMS, stakesMinor: -played };
    case "WIN":
      return { ...NO_SUMS, winsMinor: played };
    case "ROLLBACK":
      return played >= 0n ? { ...NO_SUMS, stakesMinor: -played } : { ...NO_SUMS, winsMinor: played };
    case "DEPOSIT":
      return { ...NO_SUMS, depositsMinor: cash };
    case "WITHDRAWAL_COMMIT":
      return { ...NO_SUMS, withdrawalsMinor: -(cash + reserved) };
    case "MANUAL_ADJUSTMENT":
      return { ...NO_SUMS, manualAdjustmentsMinor: cash };
    // Money reserved for a withdrawal, or released back by a void, has not left the operator. Bonus
    // grants and forfeits move bonus money, not cash: bonus costs belong to NGR, not reported yet.
    case "WITHDRAWAL_RESERVE":
    case "WITHDRAWAL_VOID":
    case "BONUS_GRANT":
    case "BONUS_FORFEIT":
      return { ...NO_SUMS };
    default:
      return assertNever(type);
  }
}

/** The increments one transaction makes: every transaction is counted, whether or not it moves a sum. */
export function transactionDeltas(tx: PostedTransaction): { daily: DailyReportDelta; player: PlayerTotalsDelta } {
  const sums = sumsOfTransaction(tx.type, tx);
  return {
    daily: { date: utcDate(tx.occurredAt), currency: tx.currency, ...sums, transactionCount: 1, registrations: 0 },
    player: { playerId: tx.playerId, currency: tx.currency, ...sums, transactionCount: 1 },
  };
}

/** A registration counts in the day's row of the player's currency. */
export function registrationDelta(registration: Registration): DailyReportDelta {
  return { date: utcDate(registration.occurredAt), currency: registration.currency, ...NO_SUMS, transactionCount: 0, registrations: 1 };
}

/** Gross gaming revenue: what players staked (cash and bonus money) minus what they won. */
export const grossGamingRevenue = (sums: Pick<Sums, "stakesMinor" | "winsMinor">): bigint => sums.stakesMinor - sums.winsMinor;
