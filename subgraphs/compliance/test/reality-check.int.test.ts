import { randomUUID } from "node:crypto";
import type { DomainEvent } from "@casino/kernel/events/types";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { createComplianceService } from "../src/service.ts";
import { playerRegisteredEvent, waitUntilScreened } from "./support/player-registered-event.ts";

let clock = new Date("2026-11-29T10:00:00Z");
let svc: TestService<PrismaClient>;

beforeAll(async () => {
  svc = await startTestService(createComplianceService({ now: () => clock }), { REALITY_CHECK_POLL_MS: "100" });
});
afterAll(async () => {
  await svc.stop();
});

const posted = (playerId: string, type: "STAKE" | "WIN", amountMinor: string, bonusAmountMinor = "0"): DomainEvent => ({
  id: randomUUID(),
  type: "wallet.transaction_posted",
  source: "wallet",
  aggregateId: randomUUID(),
  playerId,
  occurredAt: clock.toISOString(),
  payload: { transactionId: randomUUID(), type, playerId, currency: "GBP", amountMinor, bonusAmountMinor, reservedAmountMinor: "0" },
});

describe("reality checks", () => {
  it("sends the player a reminder with the session's time and net position at the interval they chose, on the live topic", async () => {
    const registered = playerRegisteredEvent();
    const { playerId } = registered.payload;
    await svc.runtime.bus.publish([registered]);
    await waitUntilScreened(svc.runtime.prisma, playerId);
    const token = await svc.tokens.player(playerId);
    const set = await svc.graphql(`mutation { setRealityCheckInterval(minutes: 15) { playerId realityCheckIntervalMinutes } }`, {}, token);
    expect(set.data).toEqual({ setRealityCheckInterval: { playerId, realityCheckIntervalMinutes: 15 } });

    const events = [posted(playerId, "STAKE", "-300", "-200"), posted(playerId, "WIN", "150")];
    await svc.runtime.bus.publish(events);
    await waitUntil("activity recorded", async () => (await svc.runtime.prisma.realityCheck.findUnique({ where: { playerId } }))?.winsMinor === 150n);

    clock = new Date(clock.getTime() + 15 * 60_000);
    await waitUntil("reminder sent", async () => (await svc.runtime.prisma.outboxEvent.count({ where: { playerId, type: "compliance.reality_check" } })) === 1);
    const [reminder] = await svc.runtime.prisma.outboxEvent.findMany({ where: { playerId, type: "compliance.reality_check" } });
    expect(reminder).toMatchObject({
      liveTopic: "realityCheck",
      payload: {
        playerId,
        sessionStartedAt: "2026-11-29T10:00:00.000Z",
        elapsedMinutes: 15,
        stakes: { amount: "5.00", currency: "GBP" },
        wins: { amount: "1.50", currency: "GBP" },
        netPosition: { amount: "-3.50", currency: "GBP" },
        reminder: 1,
      },
    });
    // Not again before the next interval.
    await new Promise((r) => setTimeout(r, 300));
    expect(await svc.runtime.prisma.outboxEvent.count({ where: { playerId, type: "compliance.reality_check" } })).toBe(1);
  });

  it("refuses an interval out of range and a staff caller", async () => {
    const token = await svc.tokens.player(randomUUID());
    const bad = await svc.graphql(`mutation { setRealityCheckInterval(minutes: 0) { playerId } }`, {}, token);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "minutes" });
    const staff = await svc.graphql(`mutation { setRealityCheckInterval(minutes: 10) { playerId } }`, {}, await svc.tokens.staff(["compliance"]));
    expect(staff.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
