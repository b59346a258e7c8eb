import { NO_SESSION, SESSION_GAP_MS, chooseInterval, due, onActivity, type RealityState } from "../src/reality-check.ts";

const t0 = new Date("2026-11-29T10:00:00Z");
const after = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const fresh = (intervalMinutes: number | null = 20): RealityState => ({ intervalMinutes, ...NO_SESSION });
const stake = (at: Date, minor: bigint) => ({ at, currency: "GBP", staked: minor, won: 0n });
const win = (at: Date, minor: bigint) => ({ at, currency: "GBP", staked: 0n, won: minor });

describe("reality-check sessions", () => {
  it("given no session, when the player bets, then a session starts and the first reminder is due one interval later", () => {
    const s = onActivity(fresh(), stake(t0, 500n));
    expect(s).toMatchObject({ sessionStartedAt: t0, nextReminderAt: after(20), stakesMinor: 500n, winsMinor: 0n, reminders: 0 });
  });

  it("given no session, when only a win arrives, then no session starts", () => {
    const s = fresh();
    expect(onActivity(s, win(t0, 100n))).toBe(s);
  });

  it("given a session, when the interval passes, then the reminder tells the time played and the net position", () => {
    let s = onActivity(fresh(), stake(t0, 500n));
    s = onActivity(s, win(after(5), 200n));
    s = onActivity(s, stake(after(10), 300n));
    const d = due(s, after(20));
    expect(d?.reminder).toEqual({ sessionStartedAt: t0, elapsedMinutes: 20, currency: "GBP", stakesMinor: 800n, winsMinor: 200n, netMinor: -600n, reminder: 1, at: after(20) });
    expect(d?.next).toMatchObject({ nextReminderAt: after(40), reminders: 1 });
  });

  it("given a reminder not yet due, then nothing is sent", () => {
    expect(due(onActivity(fresh(), stake(t0, 1n)), after(19))).toBeNull();
  });

  it("given a pause longer than 30 minutes, when the reminder falls due, then the session ends without a reminder", () => {
    const s = onActivity(fresh(40), stake(t0, 100n));
    const d = due(s, new Date(t0.getTime() + SESSION_GAP_MS + 10 * 60_000 + 1));
    expect(d).toEqual({ reminder: null, next: { ...s, ...NO_SESSION } });
  });

  it("given a refunded stake, then the session's stakes go down but never below zero", () => {
    const s = onActivity(onActivity(fresh(), stake(t0, 100n)), { at: after(1), currency: "GBP", staked: -250n, won: 0n });
    expect(s.stakesMinor).toBe(0n);
  });

  it("given a player who chooses reminders mid-session, then the next one is an interval from now", () => {
    const s = chooseInterval(onActivity(fresh(null), stake(t0, 100n)), 15, after(7));
    expect(s.nextReminderAt).toEqual(after(22));
  });

  it.each([0, 1441, 2.5])("given an interval of %p minutes, then BAD_USER_INPUT", (minutes) => {
    expect(() => chooseInterval(fresh(), minutes, t0)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ field: "minutes" }) }));
  });
});
