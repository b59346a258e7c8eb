/**
 * What the RGS layer needs from outside the games database, as interfaces: the wallet (the only
 * owner of money), compliance ("may this player stake this now?") and launch sessions. The real
 * clients (@casino/wallet-client, @casino/compliance-client, launch/sessions.ts) satisfy them
 * structurally; tests pass fakes where a service is not the point.
 */
import type { WalletBalance, WalletCommand, WalletTransactionResult } from "@casino/wallet-client/protocol";
import type { GameKind } from "./model.ts";

export interface WalletPort {
  post(command: WalletCommand): Promise<WalletTransactionResult>;
  balance(playerId: string, currency: string): Promise<WalletBalance>;
}

export interface StakeCheck {
  allowed: boolean;
  reasons: string[];
  maxStake: bigint | null;
}

/** Throws when compliance cannot answer (ComplianceUnavailableError in the real client): fail closed. */
export interface ComplianceGate {
  stake(input: { playerId: string; currency: string; amountMinor: bigint; gameKind: GameKind }): Promise<StakeCheck>;
}

/** A launch session as issued by launchGame (games/src/launch/sessions.ts). */
export interface LaunchSessionView {
  id: string;
  playerId: string;
  gameId: string;
  gameCode: string;
  providerId: string;
  providerCode: string;
  mode: "REAL" | "DEMO";
  currency: string;
  expiresAt: Date;
  expired: boolean;
}

export interface LaunchSessionResolver {
  resolve(token: string): Promise<LaunchSessionView | null>;
}
