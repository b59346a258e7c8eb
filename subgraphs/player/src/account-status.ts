/**
 * A player's account status as a pure function of (state, command). Two sources decide it:
 * the player and staff (CLOSED, BLOCKED) and compliance (TIMED_OUT, SELF_EXCLUDED, mirrored from
 * its events). Both are kept, so lifting a block brings back a self-exclusion that is still running,
 * and a compliance decision never reopens a blocked or closed account.
 */
export type PlayerStatus = "ACTIVE" | "TIMED_OUT" | "SELF_EXCLUDED" | "CLOSED" | "BLOCKED";
export type PlayerRestriction = "NONE" | "TIMED_OUT" | "SELF_EXCLUDED";

export interface AccountState {
  status: PlayerStatus;
  restriction: PlayerRestriction;
}

export type AccountCommand =
  | { type: "STAFF_BLOCK" }
  | { type: "STAFF_UNBLOCK" }
  | { type: "PLAYER_CLOSE" }
  | { type: "MIRROR_RESTRICTION"; restriction: PlayerRestriction };

export class AccountStatusError extends Error {
  constructor(
    readonly from: PlayerStatus,
    readonly command: AccountCommand["type"],
    message: string,
  ) {
    super(message);
    this.name = "AccountStatusError";
  }
}

const STATUS_OF_RESTRICTION: Record<PlayerRestriction, PlayerStatus> = { NONE: "ACTIVE", TIMED_OUT: "TIMED_OUT", SELF_EXCLUDED: "SELF_EXCLUDED" };

/** Set by the player or staff: compliance decisions do not override them. */
const isHeldByAccountHolder = (status: PlayerStatus) => status === "CLOSED" || status === "BLOCKED";

export function nextAccountState(state: AccountState, command: AccountCommand): AccountState {
  const { status, restriction } = state;
  switch (command.type) {
    case "STAFF_BLOCK":
      if (status === "CLOSED") throw new AccountStatusError(status, command.type, "A closed account cannot be blocked");
      if (status === "BLOCKED") throw new AccountStatusError(status, command.type, "The account is already blocked");
      return { status: "BLOCKED", restriction };
    case "STAFF_UNBLOCK":
      if (status !== "BLOCKED") {
        // Staff must never lift a time-out or self-exclusion by "activating" an account.
        throw new AccountStatusError(status, command.type, `Only a BLOCKED account can be set ACTIVE, this one is ${status}`);
      }
      return { status: STATUS_OF_RESTRICTION[restriction], restriction };
    case "PLAYER_CLOSE":
      if (status === "CLOSED") throw new AccountStatusError(status, command.type, "The account is already closed");
      if (status === "BLOCKED") throw new AccountStatusError(status, command.type, "A blocked account cannot be closed by the player; contact support");
      return { status: "CLOSED", restriction };
    case "MIRROR_RESTRICTION":
      return {
        status: isHeldByAccountHolder(status) ? status : STATUS_OF_RESTRICTION[command.restriction],
        restriction: command.restriction,
      };
    default:
      return assertNever(command);
  }
}

/** compliance.restrictions_changed carries reasons; a self-exclusion outranks a time-out. */
export function restrictionFromReasons(reasons: readonly string[]): PlayerRestriction {
  if (reasons.includes("SELF_EXCLUDED")) return "SELF_EXCLUDED";
  if (reasons.includes("TIMED_OUT")) return "TIMED_OUT";
  return "NONE";
}

/** Players in these states cannot log in or refresh a session. */
export const cannotLogIn = (status: PlayerStatus) => status === "CLOSED" || status === "BLOCKED";

function assertNever(value: never): never {
  throw new Error(`Unhandled account command ${JSON.stringify(value)}`);
}
