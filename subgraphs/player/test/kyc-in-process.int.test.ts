import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { playerService } from "../src/service.ts";
import { dataOf } from "./support/graphql-data.ts";
import { registerVerifiablePlayer } from "./support/register-player.ts";

// The embedded default: no KYC_PROVIDER_URL, so the simulator runs inside the player service and
// calls back over HTTP with a secret generated for this process.
let svc: TestService<PrismaClient>;
beforeAll(async () => {
  svc = await startTestService(playerService, { KYC_SIMULATOR_DELAY_MS: "50" });
});
afterAll(async () => {
  await svc.stop();
});

describe("the in-process KYC simulator", () => {
  it("verifies a player end to end through the signed callback, with the events in the outbox", async () => {
    const p = await registerVerifiablePlayer(svc);
    expect(dataOf(await svc.graphql(`mutation { requestKycVerification { kycStatus } }`, {}, p.accessToken))).toEqual({ requestKycVerification: { kycStatus: "PENDING" } });
    await waitUntil("VERIFIED", async () => (await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: p.id } })).kycStatus === "VERIFIED");
    const events = await svc.runtime.prisma.outboxEvent.findMany({ where: { playerId: p.id, type: "player.kyc_changed" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.payload)).toEqual([
      { playerId: p.id, kycStatus: "PENDING", ageVerified: false, identityVerified: false, changedAt: expect.any(String) },
      { playerId: p.id, kycStatus: "VERIFIED", ageVerified: true, identityVerified: true, changedAt: expect.any(String) },
    ]);
  });

  it("refuses callbacks not signed with the process's secret", async () => {
    const res = await fetch(svc.url.replace(/\/graphql$/, "/callbacks/kyc/simulator"), {
      method: "POST",
      headers: { "content-type": "application/json", "x-kyc-timestamp": String(Math.floor(Date.now() / 1000)), "x-kyc-signature": "0".repeat(64) },
      body: JSON.stringify({ providerReference: "sim_x", clientReference: "x", result: "VERIFIED", reasons: [] }),
    });
    expect(res.status).toBe(401);
  });
});
