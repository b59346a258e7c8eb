import type { BaseContext } from "@casino/kernel/graphql/subgraph";
import type { AccountService } from "./account-service.ts";
import type { AuthService } from "./auth-service.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { KycService } from "./kyc/kyc-service.ts";
import type { PlayerLoaders } from "./loaders.ts";
import type { ProfileService } from "./profile-service.ts";
import type { ClientInfo } from "./request-meta.ts";
import type { SessionService } from "./sessions.ts";

export interface PlayerContext extends BaseContext {
  prisma: PrismaClient;
  auth: AuthService;
  profile: ProfileService;
  kyc: KycService;
  accounts: AccountService;
  sessions: SessionService;
  loaders: PlayerLoaders;
  /** User-Agent and address of the HTTP request, recorded on the sessions it starts. */
  client: ClientInfo;
}
