import { GraphQLError } from "graphql";

/** Error codes shared by every subgraph; clients switch on `extensions.code`. */
export type ErrorCode =
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "IDEMPOTENCY_KEY_REUSED"
  | "INSUFFICIENT_FUNDS"
  | "TRANSACTION_NOT_FOUND"
  | "TRANSACTION_ROLLED_BACK"
  | "ALREADY_SETTLED"
  | "AMOUNT_EXCEEDS_RESERVATION"
  | "ACCOUNT_DISABLED"
  | "RATE_LIMITED"
  | "SELF_EXCLUDED"
  | "PLAY_NOT_ALLOWED"
  | "GAME_NOT_AVAILABLE"
  | "STAKE_LIMIT_EXCEEDED"
  | "GAME_CYCLE_TOO_SOON"
  | "SESSION_EXPIRED"
  | "SERVICE_UNAVAILABLE";

const httpStatusFor: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  SERVICE_UNAVAILABLE: 503,
};

export function appError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  const status = httpStatusFor[code];
  return new GraphQLError(message, {
    extensions: { code, ...extra, ...(status ? { http: { status } } : {}) },
  });
}

export const badInput = (message: string, field?: string) =>
  appError("BAD_USER_INPUT", message, field ? { field } : {});
export const unauthenticated = (message = "Authentication required") => appError("UNAUTHENTICATED", message);
export const forbidden = (message = "Not allowed") => appError("FORBIDDEN", message);
export const notFound = (what: string) => appError("NOT_FOUND", `${what} not found`);
