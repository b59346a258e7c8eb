/**
 * The normalised game-transaction model every RGS protocol adapter translates into. Adapters speak
 * their protocol (field names, units, signatures, status codes); the GameTransactionService speaks
 * only this. Amounts here are integer minor units of the wallet currency (bigint), never protocol
 * units.
 */

/** Which compliance rules apply to a stake (the game's kind in compliance's terms). */
export type GameKind = "SLOT" | "TABLE" | "LIVE" | "OTHER";

/** A provider's RGS configuration as the service uses it (credentials stay with the adapter). */
export interface RgsProvider {
  id: string;
  code: string;
  protocol: string;
  allowedCurrencies: readonly string[];
  /** Empty: every game of the provider in the catalogue. */
  allowedGameCodes: readonly string[];
}

/** "What is this player's balance?" (no money moves, nothing is recorded). */
export interface BalanceCommand {
  playerId: string;
  token: string | null;
  /** The currency asked for; the session's when absent. */
  currency: string | null;
  gameCode: string | null;
}

/** A stake. `free` stakes (free rounds paid by the provider) move no player money. */
export interface BetStep {
  kind: "BET";
  /** The protocol's transaction id (Hub88 transaction_uuid, SoftSwiss action_id). */
  txId: string;
  amount: bigint;
  free: boolean;
}

/** A win inside a batch; batch protocols name no stake, the round ties them together. */
export interface WinStep {
  kind: "WIN";
  txId: string;
  amount: bigint;
}

/** Fields shared by every money command: who, where, in what. */
export interface RoundContext {
  playerId: string;
  /** The launch token; required for bets, checked without expiry when given with wins and rollbacks. */
  token: string | null;
  currency: string;
  gameCode: string;
  roundId: string;
}

export interface BetCommand extends RoundContext {
  bet: BetStep;
}

/** A single win that names the stake it pays (Hub88's reference_transaction_uuid). */
export interface WinCommand extends RoundContext {
  txId: string;
  amount: bigint;
  betTxId: string;
}

/** Cancels a stake, which may not have arrived yet (it is then refused when it does). */
export interface RollbackCommand extends Omit<RoundContext, "currency"> {
  txId: string;
  betTxId: string;
  /** Absent in protocols whose rollbacks carry none (Hub88): taken from the stake or the session. */
  currency: string | null;
}

/** Several bets and wins applied atomically: all or none (SoftSwiss-style /play). */
export interface BatchCommand extends RoundContext {
  steps: ReadonlyArray<BetStep | WinStep>;
}

/**
 * Normalised answers. Each protocol maps every one of them to its own status; an adapter's switch
 * over this union ends in a never check so that a new outcome cannot go unmapped.
 */
export type OutcomeCode =
  | "OK"
  | "INSUFFICIENT_FUNDS"
  /** The transaction id was used before with different data. */
  | "DUPLICATE"
  /** The referenced stake is unknown (or belongs to another player or currency). */
  | "NOT_FOUND"
  /** The stake (referenced or being placed) was rolled back. */
  | "ROLLED_BACK"
  | "INVALID_TOKEN"
  | "TOKEN_EXPIRED"
  | "INVALID_GAME"
  | "WRONG_CURRENCY"
  /** Unknown player (no wallet) or a player id that cannot be one. */
  | "INVALID_PLAYER"
  /** Compliance refused the stake (restrictions, stake limits). */
  | "LIMIT_REACHED"
  /** The wallet or compliance could not answer; nothing was applied. */
  | "UNAVAILABLE";

export const OUTCOME_CODES: readonly OutcomeCode[] = [
  "OK",
  "INSUFFICIENT_FUNDS",
  "DUPLICATE",
  "NOT_FOUND",
  "ROLLED_BACK",
  "INVALID_TOKEN",
  "TOKEN_EXPIRED",
  "INVALID_GAME",
  "WRONG_CURRENCY",
  "INVALID_PLAYER",
  "LIMIT_REACHED",
  "UNAVAILABLE",
];

/** What one transaction id of a command came to. */
export interface StepResult {
  txId: string;
  /** The wallet transaction that carried it (null when refused, or for a rollback of nothing). */
  walletTransactionId: string | null;
  processedAt: Date;
}

export interface Outcome {
  code: OutcomeCode;
  /** Spendable balance (cash + bonus) after the command, minor units; null when not known. */
  balance: bigint | null;
  currency: string | null;
  /** True when this is the stored answer of an earlier identical request. */
  replayed: boolean;
  /** One per transaction id of the command, in the command's order (OK outcomes only). */
  steps: StepResult[];
  /** Why, for logs and for protocols that carry a message; never shown to players as is. */
  detail?: string;
}

export const outcome = (code: OutcomeCode, detail?: string, balance: bigint | null = null, currency: string | null = null): Outcome => ({
  code,
  balance,
  currency,
  replayed: false,
  steps: [],
  ...(detail ? { detail } : {}),
});

/** Errors found before a command exists: the request itself is not acceptable. Nothing is written. */
export type RequestErrorCode =
  | "INVALID_SIGNATURE"
  /** Unknown, disabled or unconfigured provider. */
  | "INVALID_PARTNER"
  /** Not JSON, not an object, or a required field missing. */
  | "WRONG_SYNTAX"
  /** A field of the wrong type or shape. */
  | "WRONG_TYPES"
  /** An amount that is no whole number of the currency's minor units. */
  | "UNREPRESENTABLE_AMOUNT"
  | "UNKNOWN_ENDPOINT";

/** Game type in the catalogue -> the kind compliance rules are written for. */
export function gameKindOf(type: string): GameKind {
  switch (type) {
    case "SLOT":
      return "SLOT";
    case "ROULETTE":
    case "TABLE":
      return "TABLE";
    case "LIVE":
      return "LIVE";
    default:
      return "OTHER";
  }
}
