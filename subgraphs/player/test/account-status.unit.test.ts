import { AccountStatusError, cannotLogIn, nextAccountState, restrictionFromReasons, type AccountCommand, type AccountState } from "../src/account-status.ts";

const state = (status: AccountState["status"], restriction: AccountState["restriction"] = "NONE"): AccountState => ({ status, restriction });
const mirror = (restriction: AccountState["restriction"]): AccountCommand => ({ type: "MIRROR_RESTRICTION", restriction });

describe("account status", () => {
  it.each<[string, AccountState, AccountCommand, AccountState]>([
    ["staff block an active player", state("ACTIVE"), { type: "STAFF_BLOCK" }, state("BLOCKED")],
    ["staff block a self-excluded player", state("SELF_EXCLUDED", "SELF_EXCLUDED"), { type: "STAFF_BLOCK" }, state("BLOCKED", "SELF_EXCLUDED")],
    ["staff unblock a player without restriction", state("BLOCKED"), { type: "STAFF_UNBLOCK" }, state("ACTIVE")],
    ["staff unblock a player whose time-out still runs", state("BLOCKED", "TIMED_OUT"), { type: "STAFF_UNBLOCK" }, state("TIMED_OUT", "TIMED_OUT")],
    ["the player closes an active account", state("ACTIVE"), { type: "PLAYER_CLOSE" }, state("CLOSED")],
    ["the player closes a timed-out account", state("TIMED_OUT", "TIMED_OUT"), { type: "PLAYER_CLOSE" }, state("CLOSED", "TIMED_OUT")],
    ["compliance times an active player out", state("ACTIVE"), mirror("TIMED_OUT"), state("TIMED_OUT", "TIMED_OUT")],
    ["compliance self-excludes a timed-out player", state("TIMED_OUT", "TIMED_OUT"), mirror("SELF_EXCLUDED"), state("SELF_EXCLUDED", "SELF_EXCLUDED")],
    ["compliance lifts a time-out", state("TIMED_OUT", "TIMED_OUT"), mirror("NONE"), state("ACTIVE")],
    ["compliance self-excludes a blocked player: stays blocked", state("BLOCKED"), mirror("SELF_EXCLUDED"), state("BLOCKED", "SELF_EXCLUDED")],
    ["compliance lifts a restriction of a closed account: stays closed", state("CLOSED", "TIMED_OUT"), mirror("NONE"), state("CLOSED")],
  ])("when %s", (_label, given, when, then) => {
    expect(nextAccountState(given, when)).toEqual(then);
  });

  it.each<[string, AccountState, AccountCommand]>([
    ["staff activate a self-excluded player (never lifts an exclusion)", state("SELF_EXCLUDED", "SELF_EXCLUDED"), { type: "STAFF_UNBLOCK" }],
    ["staff activate a timed-out player", state("TIMED_OUT", "TIMED_OUT"), { type: "STAFF_UNBLOCK" }],
    ["staff activate a closed account", state("CLOSED"), { type: "STAFF_UNBLOCK" }],
    ["staff activate an active player", state("ACTIVE"), { type: "STAFF_UNBLOCK" }],
    ["staff block a closed account", state("CLOSED"), { type: "STAFF_BLOCK" }],
    ["staff block a blocked account", state("BLOCKED"), { type: "STAFF_BLOCK" }],
    ["the player closes a closed account", state("CLOSED"), { type: "PLAYER_CLOSE" }],
    ["the player closes a blocked account", state("BLOCKED"), { type: "PLAYER_CLOSE" }],
  ])("refuses when %s", (_label, given, when) => {
    expect(() => nextAccountState(given, when)).toThrow(AccountStatusError);
  });

  it.each([
    [["SELF_EXCLUDED", "TIMED_OUT"], "SELF_EXCLUDED"],
    [["TIMED_OUT", "DEPOSIT_LIMIT_REACHED"], "TIMED_OUT"],
    [["NOT_YET_ASSESSED"], "NONE"],
    [[], "NONE"],
  ])("reads compliance reasons %j as restriction %s", (reasons, restriction) => {
    expect(restrictionFromReasons(reasons)).toBe(restriction);
  });

  it("lets only CLOSED and BLOCKED players not log in", () => {
    expect((["ACTIVE", "TIMED_OUT", "SELF_EXCLUDED", "CLOSED", "BLOCKED"] as const).filter(cannotLogIn)).toEqual(["CLOSED", "BLOCKED"]);
  });
});
