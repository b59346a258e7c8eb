/**
 * What the RGS layer needs from outside the games service, as interfaces: the wallet (the only
 * owner of money) and compliance ("may this player stake this now?"). The real clients
 * (@casino/wallet-client, @casino/compliance-client) satisfy them structurally; tests pass fakes
 * where a service is not the point. Launch sessions are the games service's own table: the RGS
 * store reads them in the statement that claims a request's ids (launch/sessions.ts has the query).
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
