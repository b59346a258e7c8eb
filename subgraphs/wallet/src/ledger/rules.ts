import { createHash } from "node:crypto";
import { badInput } from "@casino/kernel/errors";
import { INT64_MAX, assertCurrency } from "@casino/kernel/money";
import { WALLET_TRANSACTION_TYPES, type WalletTransactionType } from "@casino/wallet-client/protocol";

/** Pure ledger rules: no database, no clock. */

export type AccountType =
  | "PLAYER_CASH"
  | "PLAYER_BONUS"
  | "PLAYER_RESERVED"
  | "OPERATOR_GAME_REVENUE"
  | "OPERATOR_PSP_CLEARING"
  | "OPERATOR_BONUS_COST"
  | "OPERATOR_MANUAL_ADJUSTMENT";

export type TransactionType = WalletTransactionType;
export const TRANSACTION_TYPES: readonly TransactionType[] = WALLET_TRANSACTION_TYPES;

/** One command to the ledger, whatever the caller (RGS layer, payments, staff). */
export interface LedgerCommand {
  type: TransactionType;
  playerId: string;
  currency: string;
  /**
   * Minor units. A magnitude for every type but MANUAL_ADJUSTMENT (signed); zero for ROLLBACK and
   * WITHDRAWAL_VOID, whose amounts come from the transaction they refer to.
   */
  amount: bigint;
  idempotencyKey: string;
  /** Key of the transaction referred to: the stake of a WIN (optional) or ROLLBACK, the reservation of a COMMIT or VOID. */
  refKey?: string | null;
  /** The operator account's owner: game provider (game types), PSP (payment types), campaign (bonus). */
  counterRef?: string;
  /** Round, game, PSP payment, staff user, reason: kept with the transaction and in its events. */
  reference?: Record<string, unknown>;
}

interface Shape {
  amount: "positive" | "nonNegative" | "zero" | "nonZero";
  refKey: "required" | "optional" | "forbidden";
  counterRef: "required" | "optional";
}

/** What each type of command must carry. */
export const COMMAND_SHAPES: Readonly<Record<TransactionType, Shape>> = {
  // Zero stakes and wins are real: free rounds, and the "win 0" that closes a lost round.
  STAKE: { amount: "nonNegative", refKey: "forbidden", counterRef: "required" },
  WIN: { amount: "nonNegative", refKey: "optional", counterRef: "required" },
  ROLLBACK: { amount: "zero", refKey: "required", counterRef: "required" },
  DEPOSIT: { amount: "positive", refKey: "forbidden", counterRef: "required" },
  WITHDRAWAL_RESERVE: { amount: "positive", refKey: "forbidden", counterRef: "required" },
  WITHDRAWAL_COMMIT: { amount: "positive", refKey: "required", counterRef: "required" },
  WITHDRAWAL_VOID: { amount: "zero", refKey: "required", counterRef: "required" },
  BONUS_GRANT: { amount: "positive", refKey: "forbidden", counterRef: "optional" },
  BONUS_FORFEIT: { amount: "positive", refKey: "forbidden", counterRef: "optional" },
  MANUAL_ADJUSTMENT: { amount: "nonZero", refKey: "forbidden", counterRef: "optional" },
};

const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COUNTER_REF = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

export function assertIdempotencyKey(key: string, field = "idempotencyKey"): string {
  if (typeof key !== "string" || !IDEMPOTENCY_KEY.test(key)) {
    throw badInput(`${field} must be 1-200 characters of letters, digits, '.', '_', ':' or '-'`, field);
  }
  return key;
}

export function assertPlayerId(id: string): string {
  if (typeof id !== "string" || !UUID.test(id)) throw badInput("playerId must be a UUID", "playerId");
  return id.toLowerCase();
}

/**
 * Everything about a command that can be checked without the database. Throws BAD_USER_INPUT
 * naming the field; the database is never reached with a malformed command.
 */
export function validateCommand(cmd: LedgerCommand): LedgerCommand {
  const shape = COMMAND_SHAPES[cmd.type];
  if (!shape) throw badInput(`Unknown transaction type "${String(cmd.type)}"`, "type");
  const playerId = assertPlayerId(cmd.playerId);
  const currency = assertCurrency(cmd.currency);
  const idempotencyKey = assertIdempotencyKey(cmd.idempotencyKey);
  if (typeof cmd.amount !== "bigint") throw badInput("amount must be an integer number of minor units", "amount");
  const a = cmd.amount;
  if (a > INT64_MAX || a < -INT64_MAX) throw badInput("amount is out of the 64-bit range", "amount");
  const amountOk = { positive: a > 0n, nonNegative: a >= 0n, zero: a === 0n, nonZero: a !== 0n }[shape.amount];
  if (!amountOk) {
    const wanted = { positive: "greater than zero", nonNegative: "zero or more", zero: "zero (it is taken from the referenced transaction)", nonZero: "non-zero" };
    throw badInput(`amount of a ${cmd.type} must be ${wanted[shape.amount]}`, "amount");
  }
  const refKey = cmd.refKey ?? null;
  if (shape.refKey === "required" && refKey === null) throw badInput(`a ${cmd.type} must name the transaction it refers to`, "refKey");
  if (shape.refKey === "forbidden" && refKey !== null) throw badInput(`a ${cmd.type} refers to no other transaction`, "refKey");
  if (refKey !== null) assertIdempotencyKey(refKey, "refKey");
  const counterRef = cmd.counterRef ?? "";
  if (shape.counterRef === "required" && counterRef === "") throw badInput(`a ${cmd.type} must name its provider`, "counterRef");
  if (counterRef !== "" && !COUNTER_REF.test(counterRef)) {
    throw badInput("counterRef must be 1-100 characters of letters, digits, '.', '_', ':' or '-'", "counterRef");
  }
  const reference = cmd.reference ?? {};
  if (typeof reference !== "object" || reference === null || Array.isArray(reference)) throw badInput("reference must be an object", "reference");
  if (canonicalJson(reference).length > 4_000) throw badInput("reference is too large (at most 4000 characters as JSON)", "reference");
  return { type: cmd.type, playerId, currency, amount: a, idempotencyKey, refKey, counterRef, reference };
}

/** JSON with sorted keys and bigints as strings: the same inputs always give the same text. */
export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** Fingerprint of a validated command's inputs, stored with its idempotency key. */
export function requestHash(cmd: LedgerCommand): string {
  return sha256(
    canonicalJson({
      type: cmd.type,
      playerId: cmd.playerId,
      currency: cmd.currency,
      amount: cmd.amount,
      refKey: cmd.refKey ?? null,
      counterRef: cmd.counterRef ?? "",
      reference: cmd.reference ?? {},
    }),
  );
}

export function genesisHash(playerId: string): string {
  return sha256(`wallet-genesis:${playerId}`);
}

/** A stored transaction as the hash chain covers it (chain format 1; see ledger_chain_hash in SQL). */
export interface ChainedRow {
  id: string;
  type: string;
  playerId: string;
  idempotencyKey: string;
  currency: string;
  amount: bigint;
  balanceAfter: bigint;
  bonusAmount: bigint;
  bonusBalanceAfter: bigint;
  reservedAmount: bigint;
  reservedBalanceAfter: bigint;
  walletVersion: bigint;
  refKey: string | null;
  reversesKey: string | null;
  settlesKey: string | null;
  /** The stored JSONB as PostgreSQL prints it (`reference::text`). */
  referenceText: string;
  /** In the order they were written. */
  postings: ReadonlyArray<{ accountId: string; amount: bigint }>;
}

/**
 * Each transaction's hash covers the previous one, so editing any row breaks every later link.
 * Must produce exactly what the database's ledger_chain_hash() does when it writes the row.
 */
export function chainHash(prevHash: string, row: ChainedRow): string {
  const postings = row.postings.map((p) => `${p.accountId}:${p.amount};`).join("");
  return sha256(
    [
      prevHash,
      "v1",
      row.id,
      row.type,
      row.playerId,
      row.idempotencyKey,
      row.currency,
      row.amount,
      row.balanceAfter,
      row.bonusAmount,
      row.bonusBalanceAfter,
      row.reservedAmount,
      row.reservedBalanceAfter,
      row.walletVersion,
      row.refKey ?? "",
      row.reversesKey ?? "",
      row.settlesKey ?? "",
      row.referenceText,
      postings,
    ].join("\n"),
  );
}
