/**
 * Pure reporting rules: what one wallet transaction or one registration adds to the daily report
 * and to the player's totals. No database, no clock; the projection applies these deltas.
 */

export const WALLET_TRANSACTION_TYPES = [
  "STAKE",
  "WIN",
  "ROLLBACK",
  "DEPOSIT",
  "WITHDRAWAL_RESERVE",
  "WITHDRAWAL_COMMIT",
  "WITHDRAWAL_VOID",
  "BONUS_GRANT",
  "BONUS_FORFEIT",
  "MANUAL_ADJUSTMENT",
] as const;

export type WalletTransactionType = (typeof WALLET_TRANSACTION_TYPES)[number];

export const isWalletTransactionType = (type: string): type is WalletTransactionType =>
  (WALLET_TRANSACTION_TYPES as readonly string[]).includes(type);

/** Money sums in minor units, as the operator sees them: stakes and withdrawals are positive. */
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

/** A posted wallet transaction as reporting reads it; `amountMinor` is the signed change of the player's cash. */
export interface PostedTransaction {
  type: WalletTransactionType;
  playerId: string;
  currency: string;
  amountMinor: bigint;
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
 * What one transaction adds to the sums. The amount is the player's cash change, so money the
 * player hands over (a stake, a withdrawal paid out) is negative and is counted negated.
 */
export function sumsOfTransaction(type: WalletTransactionType, amountMinor: bigint): Sums {
  switch (type) {
    case "STAKE":
      return { ...NO_SUMS, stakesMinor: -amountMinor };
    case "WIN":
      return { ...NO_SUMS, winsMinor: amountMinor };
    case "ROLLBACK":
      // A rollback reverses a game transaction: cash coming back is a refunded stake; cash taken
      // back (a protocol rolling back a win) reduces the wins.
      return amountMinor >= 0n ? { ...NO_SUMS, stakesMinor: -amountMinor } : { ...NO_SUMS, winsMinor: amountMinor };
    case "DEPOSIT":
      return { ...NO_SUMS, depositsMinor: amountMinor };
    case "WITHDRAWAL_COMMIT":
      return { ...NO_SUMS, withdrawalsMinor: -amountMinor };
    case "MANUAL_ADJUSTMENT":
      return { ...NO_SUMS, manualAdjustmentsMinor: amountMinor };
    // Money set aside for a withdrawal, or released back, has not left the operator. Bonus money
    // is not cash: bonus costs belong to NGR, which is not reported yet.
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
  const sums = sumsOfTransaction(tx.type, tx.amountMinor);
  return {
    daily: { date: utcDate(tx.occurredAt), currency: tx.currency, ...sums, transactionCount: 1, registrations: 0 },
    player: { playerId: tx.playerId, currency: tx.currency, ...sums, transactionCount: 1 },
  };
}

/** A registration counts in the day's row of the player's currency. */
export function registrationDelta(registration: Registration): DailyReportDelta {
  return { date: utcDate(registration.occurredAt), currency: registration.currency, ...NO_SUMS, transactionCount: 0, registrations: 1 };
}

/** Gross gaming revenue: what players staked minus what they won. */
export const grossGamingRevenue = (sums: Pick<Sums, "stakesMinor" | "winsMinor">): bigint => sums.stakesMinor - sums.winsMinor;
