import { z } from "@casino/kernel/config";
import type { Activity } from "./reality-check.ts";

const minor = z.string().regex(/^-?\d{1,19}$/);

/** `wallet.transaction_posted` as compliance reads it (deposits and paid withdrawals). */
export const transactionPostedSchema = z.object({
  transactionId: z.uuid(),
  type: z.string(),
  playerId: z.uuid(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  amountMinor: minor,
  bonusAmountMinor: minor.default("0"),
  reservedAmountMinor: minor.default("0"),
});

/** `player.kyc_changed`: VERIFIED means both age and identity are verified. */
export const kycChangedSchema = z.object({
  playerId: z.uuid(),
  kycStatus: z.string(),
  ageVerified: z.boolean(),
  identityVerified: z.boolean(),
});

export type MoneyMovementInput = { direction: "DEPOSIT" | "WITHDRAWAL"; amount: bigint };

/**
 * What a wallet transaction means for deposit limits and monitoring: a deposit's cash, or what a
 * withdrawal commit actually paid out (the reservation minus what went back to cash). Null for
 * everything else.
 */
export function moneyMovementOf(posted: z.infer<typeof transactionPostedSchema>): MoneyMovementInput | null {
  const cash = BigInt(posted.amountMinor);
  const reserved = BigInt(posted.reservedAmountMinor);
  if (posted.type === "DEPOSIT" && cash > 0n) return { direction: "DEPOSIT", amount: cash };
  if (posted.type === "WITHDRAWAL_COMMIT" && -(cash + reserved) > 0n) return { direction: "WITHDRAWAL", amount: -(cash + reserved) };
  return null;
}

/** `player.profile_updated`: the current details after the change. */
export const profileUpdatedSchema = z.object({
  playerId: z.uuid(),
});

/** A bet, a win or a refunded bet for the player's reality-check session; null for other transactions. */
export function gamblingActivityOf(posted: z.infer<typeof transactionPostedSchema>, at: Date): Activity | null {
  const played = BigInt(posted.amountMinor) + BigInt(posted.bonusAmountMinor);
  switch (posted.type) {
    case "STAKE":
      return { at, currency: posted.currency, staked: -played, won: 0n };
    case "WIN":
      return { at, currency: posted.currency, staked: 0n, won: played };
    case "ROLLBACK":
      return { at, currency: posted.currency, staked: -played, won: 0n };
    default:
      return null;
  }
}

const money = z.object({ minor: minor, currency: z.string().regex(/^[A-Z]{3}$/) }).nullable();

/**
 * `payments.reconciliation_mismatch`: one difference between a PSP's settlement file and payments'
 * records (subgraphs/payments/src/reconciliation). `playerId` is there when the mismatch concerns a
 * payment of ours (events from before it was added carry only `paymentId`).
 */
export const reconciliationMismatchSchema = z.object({
  mismatchId: z.uuid(),
  runId: z.uuid(),
  psp: z.string().min(1).max(50),
  kind: z.string().min(1).max(50),
  pspReference: z.string().max(500),
  paymentId: z.uuid().nullable(),
  playerId: z.uuid().nullable().optional(),
  detail: z.string().max(2000),
  lineNumber: z.number().int().nullable().optional(),
  expected: money.optional(),
  actual: money.optional(),
});

export type ReconciliationMismatchPayload = z.infer<typeof reconciliationMismatchSchema>;

/**
 * `payments.reconciliation_mismatch_resolved`: finance closed a mismatch in payments with what it
 * found; compliance records that on the mismatch's case (a case is still compliance's to resolve).
 */
export const reconciliationMismatchResolvedSchema = z.object({
  mismatchId: z.uuid(),
  resolvedBy: z.string().min(1).max(100),
  resolvedAt: z.iso.datetime({ offset: true }),
  resolution: z.string().min(1).max(1000),
});

export type ReconciliationMismatchResolvedPayload = z.infer<typeof reconciliationMismatchResolvedSchema>;
