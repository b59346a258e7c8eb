import { badInput } from "@casino/kernel/errors";

/**
 * Reality checks (RTS): at the interval the player chose, a reminder of how long the gambling
 * session has lasted and what was staked, won and lost in it. Pure functions of (state, fact, now).
 * A session starts with a bet after a pause of more than SESSION_GAP_MS and ends with such a pause.
 */
export const SESSION_GAP_MS = 30 * 60_000;
export const MIN_INTERVAL_MINUTES = 1;
export const MAX_INTERVAL_MINUTES = 1_440;

export interface RealityState {
  intervalMinutes: number | null;
  currency: string | null;
  sessionStartedAt: Date | null;
  lastActivityAt: Date | null;
  nextReminderAt: Date | null;
  stakesMinor: bigint;
  winsMinor: bigint;
  reminders: number;
}

export const NO_SESSION: Omit<RealityState, "intervalMinutes"> = {
  currency: null,
  sessionStartedAt: null,
  lastActivityAt: null,
  nextReminderAt: null,
  stakesMinor: 0n,
  winsMinor: 0n,
  reminders: 0,
};

const minutes = (n: number) => n * 60_000;

export function chooseInterval(state: RealityState, intervalMinutes: number | null, now: Date): RealityState {
  if (intervalMinutes !== null && (!Number.isInteger(intervalMinutes) || intervalMinutes < MIN_INTERVAL_MINUTES || intervalMinutes > MAX_INTERVAL_MINUTES)) {
    throw badInput(`A reality check interval is ${MIN_INTERVAL_MINUTES} to ${MAX_INTERVAL_MINUTES} minutes, or none`, "minutes");
  }
  const inSession = state.sessionStartedAt !== null;
  return { ...state, intervalMinutes, nextReminderAt: intervalMinutes !== null && inSession ? new Date(now.getTime() + minutes(intervalMinutes)) : null };
}

/** A bet, a win or a refunded bet, in the wallet's currency. */
export interface Activity {
  at: Date;
  currency: string;
  /** Positive for a stake; negative for a refunded (rolled back) stake. */
  staked: bigint;
  won: bigint;
}

export function onActivity(state: RealityState, activity: Activity): RealityState {
  const startsSession =
    state.sessionStartedAt === null || state.lastActivityAt === null || activity.at.getTime() - state.lastActivityAt.getTime() > SESSION_GAP_MS || state.currency !== activity.currency;
  if (startsSession) {
    // Only a bet opens a session; a late win or refund after a pause belongs to no session.
    if (activity.staked <= 0n) return state;
    return {
      ...state,
      currency: activity.currency,
      sessionStartedAt: activity.at,
      lastActivityAt: activity.at,
      nextReminderAt: state.intervalMinutes === null ? null : new Date(activity.at.getTime() + minutes(state.intervalMinutes)),
      stakesMinor: activity.staked,
      winsMinor: activity.won,
      reminders: 0,
    };
  }
  const stakes = state.stakesMinor + activity.staked;
  return {
    ...state,
    lastActivityAt: activity.at.getTime() > state.lastActivityAt!.getTime() ? activity.at : state.lastActivityAt,
    stakesMinor: stakes > 0n ? stakes : 0n,
    winsMinor: state.winsMinor + activity.won,
  };
}

export interface Reminder {
  sessionStartedAt: Date;
  elapsedMinutes: number;
  currency: string;
  stakesMinor: bigint;
  winsMinor: bigint;
  /** Won minus staked: negative when the player is down. */
  netMinor: bigint;
  reminder: number;
  at: Date;
}

/** What is due at `now`: a reminder (and the state after it), the end of an idle session, or nothing. */
export function due(state: RealityState, now: Date): { reminder: Reminder | null; next: RealityState } | null {
  if (state.intervalMinutes === null || state.nextReminderAt === null || state.sessionStartedAt === null) return null;
  if (now.getTime() < state.nextReminderAt.getTime()) return null;
  if (state.lastActivityAt && now.getTime() - state.lastActivityAt.getTime() > SESSION_GAP_MS) {
    return { reminder: null, next: { ...state, ...NO_SESSION } };
  }
  let next = state.nextReminderAt.getTime();
  while (next <= now.getTime()) next += minutes(state.intervalMinutes);
  const reminder: Reminder = {
    sessionStartedAt: state.sessionStartedAt,
    elapsedMinutes: Math.floor((now.getTime() - state.sessionStartedAt.getTime()) / 60_000),
    currency: state.currency!,
    stakesMinor: state.stakesMinor,
    winsMinor: state.winsMinor,
    netMinor: state.winsMinor - state.stakesMinor,
    reminder: state.reminders + 1,
    at: now,
  };
  return { reminder, next: { ...state, nextReminderAt: new Date(next), reminders: state.reminders + 1 } };
}
