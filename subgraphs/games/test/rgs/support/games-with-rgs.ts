/**
 * The wallet and the games service wired as in production: the service mounts its RGS callbacks
 * itself (WALLET_URL set; the provider cache keeps its default RGS_CACHE_MS), with the demo catalogue
 * seeded and compliance faked in-process. No RGS provider is configured: tests configure them
 * through the GraphQL API.
 */
import { randomUUID } from "node:crypto";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { walletService } from "@casino/wallet";
import type { PrismaClient as WalletPrisma } from "@casino/wallet/generated/prisma/client";
import { Ledger } from "@casino/wallet/ledger/ledger";
import { WalletClient } from "@casino/wallet-client";
import type { PrismaClient } from "../../../src/generated/prisma/client.ts";
import { createGamesService } from "../../../src/service.ts";
import { FakeCompliance } from "../../rounds/support.ts";

export interface GamesWithRgs {
  wallet: TestService<WalletPrisma>;
  games: TestService<PrismaClient>;
  compliance: FakeCompliance;
  /** http://localhost:<games port>/rgs */
  rgsUrl: string;
  /** Opens a GBP wallet with a deposit; returns the player id. */
  fundedPlayer(minor?: bigint): Promise<string>;
  stop(): Promise<void>;
}

/** `env`: more variables of the games service (secret references of provider credentials). */
export async function startGamesWithRgs(env: Record<string, string> = {}): Promise<GamesWithRgs> {
  const wallet = await startTestService(walletService);
  const walletBase = wallet.url.replace(/\/graphql$/, "");
  const payments = new WalletClient({ baseUrl: walletBase, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "payments", attempts: 1 });
  const compliance = new FakeCompliance();
  const games = await startTestService(createGamesService({ compliance }), {
    WALLET_URL: walletBase,
    GAMES_SEED_DEMO: "true",
    GAMES_RECOVERY_POLL_MS: "3600000",
    ...env,
  });
  const ledger = new Ledger(wallet.runtime.prisma, wallet.runtime.db.sql, () => undefined);
  return {
    wallet,
    games,
    compliance,
    rgsUrl: games.url.replace(/\/graphql$/, "/rgs"),
    async fundedPlayer(minor = 10_000n) {
      const playerId = randomUUID();
      await wallet.runtime.prisma.$transaction((tx) => ledger.openWallet(tx, playerId, "GBP"));
      await payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: minor.toString(), idempotencyKey: `fund-${playerId}`, counterRef: "test-psp" });
      return playerId;
    },
    async stop() {
      await games.stop();
      await payments.close();
      await wallet.stop();
    },
  };
}
