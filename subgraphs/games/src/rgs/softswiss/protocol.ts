/**
 * A SoftSwiss-style "actions" casino protocol (per a public open-source implementation of it): one
 * /play carries a batch of bet and win actions of one game round, applied atomically; /rollback
 * carries rollback actions naming the action they cancel. Amounts are integer minor units. Errors are
 * HTTP 412 with a numeric code.
 */
import { z } from "zod";
import type { OutcomeCode, RequestErrorCode } from "../model.ts";

/**
 * Error codes. 100, 154 and 403 are the protocol's (domain.md §1); the others are this
 * implementation's choice, one per normalised outcome, listed in docs-drafts/rgs.md.
 */
export const SOFTSWISS_ERRORS = {
  INSUFFICIENT_FUNDS: { code: 100, message: "Player has not enough funds to process an action" },
  INVALID_PLAYER: { code: 101, message: "Player is invalid" },
  INVALID_TOKEN: { code: 101, message: "Player is invalid" },
  TOKEN_EXPIRED: { code: 102, message: "Session is expired" },
  LIMIT_REACHED: { code: 105, message: "Player reached a bet limit" },
  ROLLED_BACK: { code: 107, message: "Action was rolled back" },
  DUPLICATE: { code: 108, message: "Action id was used with different data" },
  NOT_FOUND: { code: 109, message: "Original action not found" },
  INVALID_GAME: { code: 153, message: "Game is not available" },
  WRONG_CURRENCY: { code: 154, message: "Currency is not supported" },
  WRONG_SYNTAX: { code: 400, message: "Bad request" },
  WRONG_TYPES: { code: 400, message: "Bad request" },
  UNREPRESENTABLE_AMOUNT: { code: 400, message: "Bad request" },
  UNKNOWN_ENDPOINT: { code: 404, message: "Unknown endpoint" },
  INVALID_PARTNER: { code: 401, message: "Unknown or disabled casino partner" },
  INVALID_SIGNATURE: { code: 403, message: "Forbidden: request sign does not match" },
  UNAVAILABLE: { code: 500, message: "Unknown error" },
} as const satisfies Record<Exclude<OutcomeCode, "OK"> | RequestErrorCode, { code: number; message: string }>;

const id = z.string().min(1).max(255);
/** Minor units; JSON numbers beyond 2^53 cannot be exact. */
const amount = z.number().int().nonnegative().refine(Number.isSafeInteger, "must be a safe integer");
const currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code");

const round = {
  user_id: id,
  currency,
  /** The game's code in the catalogue. */
  game: id,
  /** The game round. */
  game_id: id,
  /** The launch token. */
  session_id: id.optional(),
  finished: z.boolean().optional(),
};

export const playSchema = z.object({
  ...round,
  actions: z
    .array(z.discriminatedUnion("action", [z.object({ action: z.literal("bet"), action_id: id, amount }), z.object({ action: z.literal("win"), action_id: id, amount })]))
    .max(100)
    .optional(),
});

export const rollbackSchema = z.object({
  ...round,
  actions: z.array(z.object({ action: z.literal("rollback"), action_id: id, original_action_id: id })).min(1).max(100),
});

export interface SoftswissTransaction {
  action_id: string;
  tx_id: string;
  processed_at: string;
}
