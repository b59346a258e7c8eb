import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { NO_SESSION, SESSION_GAP_MS, onActivity, type Activity, type RealityState } from "../src/reality-check.ts";
import { RealityChecks, stateOf } from "../src/reality-check-service.ts";
import { createComplianceService } from "../src/service.ts";

const clock = new Date("2026-11-29T10:00:00Z");
let svc: TestService<PrismaClient>;
let checks: RealityChecks;

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }), { REALITY_CHECK_POLL_MS: "60000" });
  checks = new RealityChecks(svc.runtime.prisma, () => undefined, svc.runtime.log, () => clock);
});
afterAll(async () => {
  await svc.stop();
});

const step = fc.record({
  // Mostly forwards, sometimes back (events arrive out of order), and exactly at and past the gap.
  offsetMs: fc.oneof(fc.integer({ min: -120_000, max: 40 * 60_000 }), fc.constantFrom(0, SESSION_GAP_MS, SESSION_GAP_MS + 1)),
  currency: fc.constantFrom("GBP", "GBP", "GBP", "EUR"),
  kind: fc.constantFrom("STAKE", "WIN", "REFUND"),
  amount: fc.bigInt({ min: 1n, max: 100_000n }),
  replay: fc.boolean(),
});

/** The stored state, or null when no row was written. */
async function stored(playerId: string): Promise<RealityState | null> {
  const row = await svc.runtime.prisma.realityCheck.findUnique({ where: { playerId } });
  return row && stateOf(row);
}

describe("reality-check activity recorded in one statement", () => {
  it("leaves exactly the state onActivity() computes, for any sequence of bets, wins, refunds and replays", async () => {
    let applied = 0;
    let replays = 0;
    await fc.assert(
      fc.asyncProperty(fc.option(fc.integer({ min: 1, max: 1_440 }), { nil: null }), fc.array(step, { minLength: 1, maxLength: 12 }), async (interval, steps) => {
        const playerId = randomUUID();
        let expected: RealityState = { intervalMinutes: interval, ...NO_SESSION };
        if (interval !== null) {
          await svc.runtime.db.sql.query(`INSERT INTO reality_check (player_id, interval_minutes, updated_at) VALUES ($1::uuid, $2, now())`, [playerId, interval]);
        }
        let at = clock.getTime();
        let previous: { id: string; activity: Activity } | undefined;
        for (const s of steps) {
          if (s.replay && previous) {
            // The bus delivers at least once: a redelivered event changes nothing.
            expect(await checks.recordActivityEvent(svc.runtime.db.sql, "compliance", previous.id, playerId, previous.activity)).toBe(false);
            replays++;
            continue;
          }
          at += s.offsetMs;
          const activity: Activity = {
            at: new Date(at),
            currency: s.currency,
            staked: s.kind === "STAKE" ? s.amount : s.kind === "REFUND" ? -s.amount : 0n,
            won: s.kind === "WIN" ? s.amount : 0n,
          };
          const id = randomUUID();
          expect(await checks.recordActivityEvent(svc.runtime.db.sql, "compliance", id, playerId, activity)).toBe(true);
          expected = onActivity(expected, activity);
          previous = { id, activity };
          applied++;
        }
        const row = await stored(playerId);
        if (row === null) {
          // No row is only right when nothing opened a session and no interval was chosen.
          expect(expected).toEqual({ intervalMinutes: null, ...NO_SESSION });
        } else {
          expect(row).toEqual(expected);
        }
      }),
      { numRuns: 60 },
    );
    // The generator did reach both paths.
    expect(applied).toBeGreaterThan(100);
    expect(replays).toBeGreaterThan(10);
  });
});
