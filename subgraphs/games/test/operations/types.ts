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
