/**
 * The wallet's internal API: what games (the RGS layer) and payments send to move money, and what
 * they get back. JSON over HTTP between our own services, authenticated by service tokens; amounts
 * are integer minor units written as decimal strings, so that no JSON number ever carries money.
 * The wallet knows nothing of any game or payment protocol: adapters translate into this.
 */
export const INTERNAL_API_PREFIX = "/internal/wallet/v1";

/** Every kind of ledger transaction; the wallet's rules are written against this list. */
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

export interface WalletCommand {
  type: WalletTransactionType;
  playerId: string;
  currency: string;
  /** Integer minor units as a string ("1250" is 12.50 GBP); "0" for ROLLBACK and WITHDRAWAL_VOID. */
  amount: string;
  idempotencyKey: string;
  /** The stake of a WIN (optional) or ROLLBACK, the reservation of a WITHDRAWAL_COMMIT or _VOID. */
  refKey?: string | null;
  /** Game provider (game types) or PSP (payment types) whose operator account takes the other leg. */
  counterRef?: string;
  reference?: Record<string, unknown>;
}

export interface WalletTransactionResult {
  id: string;
  type: WalletTransactionType;
  playerId: string;
  currency: string;
  idempotencyKey: string;
  refKey: string | null;
  /** Signed changes and balances after, minor units as strings. */
  cashAmount: string;
  cashBalance: string;
  bonusAmount: string;
  bonusBalance: string;
  reservedAmount: string;
  reservedBalance: string;
  walletVersion: string;
  createdAt: string;
  /** True when this key had been applied before: this is the first result, nothing moved now. */
  replayed: boolean;
}

export interface WalletBalance {
  playerId: string;
  currency: string;
  cash: string;
  bonus: string;
  reserved: string;
  walletVersion: string;
}

export type WalletErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "IDEMPOTENCY_KEY_REUSED"
  | "INSUFFICIENT_FUNDS"
  | "TRANSACTION_NOT_FOUND"
  | "TRANSACTION_ROLLED_BACK"
  | "ALREADY_SETTLED"
  | "AMOUNT_EXCEEDS_RESERVATION"
  | "INTERNAL_SERVER_ERROR";

export interface WalletErrorBody {
  error: {
    code: WalletErrorCode;
    message: string;
    field?: string;
    /** With INSUFFICIENT_FUNDS and TRANSACTION_ROLLED_BACK: the balances now, minor units. */
    cashBalance?: string;
    bonusBalance?: string;
  };
}

/** The most commands one POST /transactions/batch carries. */
export const MAX_BATCH_COMMANDS = 64;

/**
 * POST /transactions/batch: several commands in one request, each exactly what POST /transactions
 * takes, each decided on its own (not atomic).
 */
export interface WalletBatchRequest {
  commands: WalletCommand[];
}

/** One command's answer inside a batch: what POST /transactions would have answered for it alone. */
export interface WalletBatchItemResult {
  status: number;
  body: WalletTransactionResult | WalletErrorBody;
}

/** The 200 answer to a batch: one result per command, in the order of the commands. */
export interface WalletBatchResponse {
  results: WalletBatchItemResult[];
}

/** HTTP status of each error code. */
export const STATUS_OF: Readonly<Record<WalletErrorCode, number>> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TRANSACTION_NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 409,
  TRANSACTION_ROLLED_BACK: 409,
  ALREADY_SETTLED: 409,
  INSUFFICIENT_FUNDS: 422,
  AMOUNT_EXCEEDS_RESERVATION: 422,
  INTERNAL_SERVER_ERROR: 500,
};

/** Which service may send which command: the RGS layer moves game money, payments moves PSP money. */
export const CALLER_PERMISSIONS: Readonly<Record<string, readonly WalletTransactionType[]>> = {
  games: ["STAKE", "WIN", "ROLLBACK"],
  payments: ["DEPOSIT", "WITHDRAWAL_RESERVE", "WITHDRAWAL_COMMIT", "WITHDRAWAL_VOID"],
};
