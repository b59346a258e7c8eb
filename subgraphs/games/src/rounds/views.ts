import { toGraphQLMoney } from "@casino/kernel/money";
import type { GameRound, LaunchSession } from "../generated/prisma/client.ts";
import type { RoundPhase } from "./rounds.ts";

type Money = { amount: string; currency: string };

/** RTS 14: net position and session time, as a game client shows them during play. */
export interface GameStateView {
  staked: Money;
  won: Money;
  netPosition: Money;
  sessionSeconds: number;
  rounds: number;
  demoBalance: Money | null;
}

export function gameState(session: LaunchSession, now: Date): GameStateView {
  const money = (minor: bigint) => toGraphQLMoney(minor, session.currency);
  const end = session.endedAt && session.endedAt.getTime() < now.getTime() ? session.endedAt : now;
  return {
    staked: money(session.stakedMinor),
    won: money(session.wonMinor),
    netPosition: money(session.wonMinor - session.stakedMinor),
    sessionSeconds: Math.max(0, Math.floor((end.getTime() - session.createdAt.getTime()) / 1000)),
    rounds: session.roundCount,
    demoBalance: session.demoBalanceMinor === null ? null : money(session.demoBalanceMinor),
  };
}

/** gameStateChanged / gameStateOfPlayer: the round's phase with the round and its session's state resolved on demand. */
export interface GameStateUpdateView {
  playerId: string;
  sessionId: string;
  roundId: string;
  phase: RoundPhase;
  round: GameRound;
}
