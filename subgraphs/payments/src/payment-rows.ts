/**
 * A payment as the raw-pool paths (notifications, settlement) read it: the columns they decide on.
 * Prisma's Payment has the same fields, so either can be passed where this is expected.
 */
export interface PaymentRow {
  id: string;
  playerId: string;
  direction: string;
  status: string;
  amountMinor: bigint;
  currency: string;
  psp: string;
  pspReference: string | null;
  walletTransactionId: string | null;
  reserveTransactionId: string | null;
  reviewReason: string | null;
  holdReason: string | null;
}

export const PAYMENT_COLUMNS = `id::text AS id, player_id::text AS "playerId", direction::text AS direction, status::text AS status,
  amount_minor AS "amountMinor", currency, psp, psp_reference AS "pspReference",
  wallet_transaction_id::text AS "walletTransactionId", reserve_transaction_id::text AS "reserveTransactionId", review_reason AS "reviewReason",
  hold_reason AS "holdReason"`;

export const jsonText = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
