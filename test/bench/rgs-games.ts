/**
 * The games service with the RGS callbacks mounted, for bench:rgs (forked as a child process):
 * launch sessions from the games database, the wallet over its internal API (WALLET_URL), and a
 * compliance gate that allows every stake (compliance has its own benchmark; here it would need
 * KYC-verified, GAMSTOP-screened players in another service). Remove the wrapper once service.ts
 * mounts the RGS layer itself.
 */
import { runServiceMain, type ServiceModule } from "@casino/kernel/service";
import type { GamesContext } from "../../subgraphs/games/src/context.ts";
import type { PrismaClient } from "../../subgraphs/games/src/generated/prisma/client.ts";
import { LaunchSessions } from "../../subgraphs/games/src/launch/sessions.ts";
import { mountRgs } from "../../subgraphs/games/src/rgs/index.ts";
import { gamesService } from "@casino/games";
import { WalletClient } from "@casino/wallet-client";

const withRgs: ServiceModule<PrismaClient, GamesContext> = {
  ...gamesService,
  async setup(runtime) {
    const definition = await gamesService.setup(runtime);
    const wallet = new WalletClient({ baseUrl: runtime.env.WALLET_URL!, serviceTokenSecret: runtime.config.serviceTokenSecret, caller: "games", connections: 128, timeoutMs: 10_000 });
    runtime.onShutdown(() => wallet.close());
    mountRgs(runtime.http.app, {
      sql: runtime.db.sql,
      wallet,
      compliance: { stake: async () => ({ allowed: true, reasons: [], maxStake: null }) },
      sessions: new LaunchSessions(runtime.prisma),
      log: runtime.log,
      env: runtime.env,
    });
    return definition;
  },
};

await runServiceMain(withRgs);
