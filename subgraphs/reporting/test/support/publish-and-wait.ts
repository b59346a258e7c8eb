import type { DomainEvent } from "@casino/kernel/events/types";
import type { TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { waitUntil } from "@casino/kernel/testing/wait-until";

/** Publishes events the reporting consumer has not seen and waits until it has processed them all. */
export async function publishAndWait(svc: TestService<PrismaClient>, events: DomainEvent[]): Promise<void> {
  await svc.runtime.bus.publish(events);
  const ids = events.map((e) => e.id);
  await waitUntil(
    `${ids.length} event(s) processed by reporting`,
    async () => (await svc.runtime.prisma.processedEvent.count({ where: { consumer: "reporting", eventId: { in: ids } } })) === ids.length,
  );
}
