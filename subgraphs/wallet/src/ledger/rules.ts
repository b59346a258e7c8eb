import { createHash } from "node:crypto";
import { badInput } from "@casino/kernel/errors";

/** Pure ledger rules: no database, no clock. */

export type AccountType =
  | "PLAYER_CASH"
  | "PLAYER_BONUS"
  | "PLAYER_RESERVED"
  | "OPERATOR_GAME_REVENUE"
  | "OPERATOR_PSP_CLEARING"
  | "OPERATOR_BONUS_COST"
  | "OPERATOR_MANUAL_ADJUSTMENT";

export interface AccountKey {
  type: AccountType;
  currency: string;
  /** Player accounts: the player id. Operator accounts: provider or PSP id, or "". */
  ref: string;
}

export interface Leg {
  account: AccountKey;
  /** Signed minor units added to the account's balance. */
  amount: bigint;
}

export const isPlayerAccount = (type: AccountType) => type.startsWith("PLAYER_");

/** Double entry: the legs of one transaction sum to zero in every currency. */
export function assertBalanced(legs: readonly Leg[]): void {
  const sums = new Map<string, bigint>();
  for (const leg of legs) sums.set(leg.account.currency, (sums.get(leg.account.currency) ?? 0n) + leg.amount);
  for (const [currency, sum] of sums) {
    if (sum !== 0n) throw new Error(`Unbalanced transaction: ${currency} legs sum to ${sum}`);
  }
}

/** JSON with sorted keys and bigints as strings: the same inputs always give the same text. */
export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Fingerprint of a command's inputs, stored with its idempotency key. */
export function requestHash(inputs: Record<string, unknown>): string {
  return sha256(canonicalJson(inputs));
}

export function genesisHash(playerId: string): string {
  return sha256(`wallet-genesis:${playerId}`);
}

/** Content that the hash chain covers: everything that gives a transaction its meaning. */
export interface ChainedContent {
  id: string;
  type: string;
  playerId: string;
  idempotencyKey: string;
  currency: string;
  amount: bigint;
  balanceAfter: bigint;
  walletVersion: bigint;
  postings: ReadonlyArray<{ accountId: string; amount: bigint }>;
  reference: unknown;
}

/** Each transaction's hash covers the previous one, so editing any row breaks every later link. */
export function chainHash(prevHash: string, content: ChainedContent): string {
  return sha256(`${prevHash}\n${canonicalJson(content)}`);
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export function assertIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badInput("idempotencyKey must be 1-200 characters of letters, digits, '.', '_', ':' or '-'", "idempotencyKey");
  }
  return key;
}
