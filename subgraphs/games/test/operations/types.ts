import type { TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";

export type GamesTestService = TestService<PrismaClient>;

/** The fields every catalogue test reads back from a game. */
export const GAME_FIELDS = `id code name type rtp rtpBasisPoints volatility enabled jurisdictions categories
  minStake { amount currency } maxStake { amount currency } provider { id code enabled }`;

export interface GameView {
  id: string;
  code: string;
  name: string;
  type: string;
  rtp: string;
  rtpBasisPoints: number;
  volatility: string;
  enabled: boolean;
  jurisdictions: string[];
  categories: string[];
  minStake: { amount: string; currency: string };
  maxStake: { amount: string; currency: string };
  provider: { id: string; code: string; enabled: boolean };
}

export interface ProviderView {
  id: string;
  code: string;
  name: string;
  integration: string;
  protocol: string | null;
  enabled: boolean;
}

export interface GamePage {
  edges: Array<{ cursor: string; node: GameView }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every field of an RGS provider configuration as staff read it. */
export const RGS_CONFIG_FIELDS = `protocol configured enabled allowedCurrencies allowedGameCodes launchUrlTemplate credentialsValid updatedAt updatedBy
  provider { id code }
  credentials { name secret source env publicValue valid }`;

export interface RgsCredentialFieldView {
  name: string;
  secret: boolean;
  source: "STORED" | "ENV" | "UNSET";
  env: string | null;
  publicValue: string | null;
  valid: boolean;
}

export interface RgsConfigView {
  protocol: string;
  configured: boolean;
  enabled: boolean;
  allowedCurrencies: string[];
  allowedGameCodes: string[];
  launchUrlTemplate: string | null;
  credentialsValid: boolean;
  updatedAt: string | null;
  updatedBy: string | null;
  provider: { id: string; code: string };
  credentials: RgsCredentialFieldView[];
}
