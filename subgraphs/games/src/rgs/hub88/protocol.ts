/**
 * The Hub88 Operator Wallet API as this operator serves it (docs.hub88.io, "Wallet API" and
 * "Seamless Wallet response statuses - Operator API"; field names per the aggregator's operator SDK,
 * see docs-drafts/rgs.md). Unknown fields are accepted and ignored.
 */
import { z } from "zod";

export const HUB88_STATUSES = [
  "RS_OK",
  "RS_ERROR_UNKNOWN",
  "RS_ERROR_INVALID_PARTNER",
  "RS_ERROR_INVALID_TOKEN",
  "RS_ERROR_INVALID_GAME",
  "RS_ERROR_WRONG_CURRENCY",
  "RS_ERROR_NOT_ENOUGH_MONEY",
  "RS_ERROR_USER_DISABLED",
  "RS_ERROR_INVALID_SIGNATURE",
  "RS_ERROR_TOKEN_EXPIRED",
  "RS_ERROR_WRONG_SYNTAX",
  "RS_ERROR_WRONG_TYPES",
  "RS_ERROR_DUPLICATE_TRANSACTION",
  "RS_ERROR_TRANSACTION_DOES_NOT_EXIST",
  "RS_ERROR_TRANSACTION_ROLLED_BACK",
  "RS_ERROR_LIMIT_REACHED",
] as const;
export type Hub88Status = (typeof HUB88_STATUSES)[number];

const id = z.string().min(1).max(255);
/** Integer 1/100000 units; JSON numbers beyond 2^53 cannot be exact and are refused. */
const units = z.number().int().nonnegative().refine(Number.isSafeInteger, "must be a safe integer");

const base = {
  user: id,
  request_uuid: id,
};
/** Older SDKs send a numeric game_id, the current API a game_code: either names a catalogue code. */
const game = {
  game_code: id.optional(),
  game_id: z.union([z.number().int().nonnegative(), id]).optional(),
};
function requireGame(v: { game_code?: string | undefined; game_id?: number | string | undefined }, ctx: z.RefinementCtx): void {
  if (v.game_code === undefined && v.game_id === undefined) ctx.addIssue({ code: "custom", path: ["game_code"], message: "game_code (or game_id) is required" });
}

export const userInfoSchema = z.object({ ...base, token: id.optional() });
export const userBalanceSchema = z.object({ ...base, token: id.optional(), ...game });
/** What a bet and a win both carry: the transaction, its round and its money. */
const moneyTransaction = {
  ...game,
  ...base,
  transaction_uuid: id,
  round: id,
  amount: units,
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code"),
  is_free: z.boolean().optional(),
  supplier_user: z.string().max(255).optional(),
  bet: z.string().max(1000).nullish(),
};
export const betSchema = z.object({ ...moneyTransaction, token: id }).superRefine(requireGame);
// No expiry check on wins, and the token may be absent (they land after the session ends).
export const winSchema = z.object({ ...moneyTransaction, token: id.optional(), reference_transaction_uuid: id }).superRefine(requireGame);
export const rollbackSchema = z
  .object({
    ...game,
    ...base,
    token: id.optional(),
    transaction_uuid: id,
    reference_transaction_uuid: id,
    round: id,
  })
  .superRefine(requireGame);

export const gameCodeOf = (v: { game_code?: string | undefined; game_id?: number | string | undefined }): string => v.game_code ?? String(v.game_id);

/** What the operator answers; amounts in 1/100000 units. */
export interface Hub88Answer {
  user?: string;
  status: Hub88Status;
  request_uuid?: string;
  currency?: string;
  balance?: number;
}
