import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { LaunchMode, PrismaClient } from "../generated/prisma/client.ts";

/** What the RGS layer needs to know of a session, given its token. */
export interface LaunchSessionView {
  id: string;
  playerId: string;
  gameId: string;
  gameCode: string;
  providerId: string;
  providerCode: string;
  mode: LaunchMode;
  currency: string;
  jurisdiction: string;
  expiresAt: Date;
  /** True once expiresAt has passed or the session was ended: no new bets (wins and rollbacks still land). */
  expired: boolean;
}

/** 256 random bits, URL-safe: the bearer token a game client presents. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Only this is stored: a stolen database copy yields no usable token. */
export function tokenHash(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Tokens are 43 characters; anything empty or absurdly long is no token of ours, unread. */
export const isTokenShaped = (token: unknown): token is string => typeof token === "string" && token.length > 0 && token.length <= 256;

/** A session as read by sessionByTokenSql (ids as text; json-safe, so it can travel inside row_to_json). */
export interface LaunchSessionRow {
  id: string;
  player_id: string;
  game_id: string;
  game_code: string;
  provider_id: string;
  provider_code: string;
  mode: LaunchMode;
  currency: string;
  jurisdiction: string;
  expires_at: Date | string;
  ended_at: Date | string | null;
}

/**
 * The session whose token hash is the given parameter, with its game's and provider's codes: one
 * statement, also embedded as a CTE where a caller reads a session and writes in the same round trip
 * (the RGS layer's claim).
 */
export function sessionByTokenSql(tokenHashParam: string): string {
  return `SELECT s.id::text AS id, s.player_id::text AS player_id, s.game_id::text AS game_id, g.code AS game_code, s.provider_id::text AS provider_id,
                 p.code AS provider_code, s.mode::text AS mode, s.currency::text AS currency, s.jurisdiction::text AS jurisdiction, s.expires_at, s.ended_at
            FROM launch_session s JOIN game g ON g.id = s.game_id JOIN provider p ON p.id = g.provider_id
           WHERE s.token_hash = ${tokenHashParam}`;
}

/** Expired once `now` reaches expiresAt, or at once when the session was ended (endGameSession). */
export function sessionViewOf(row: LaunchSessionRow, now: Date): LaunchSessionView {
  const expiresAt = new Date(row.expires_at);
  return {
    id: row.id,
    playerId: row.player_id,
    gameId: row.game_id,
    gameCode: row.game_code,
    providerId: row.provider_id,
    providerCode: row.provider_code,
    mode: row.mode,
    currency: row.currency,
    jurisdiction: row.jurisdiction,
    expiresAt,
    expired: row.ended_at !== null || expiresAt.getTime() <= now.getTime(),
  };
}

export interface NewSession {
  playerId: string;
  gameId: string;
  providerId: string;
  mode: LaunchMode;
  currency: string;
  jurisdiction: string;
  minimumGameCycleMs: number;
  demoBalanceMinor: bigint | null;
  ttlSeconds: number;
}

export class LaunchSessions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Opens a session; the token is returned once and never stored. */
  async open(input: NewSession): Promise<{ id: string; token: string; expiresAt: Date; createdAt: Date }> {
    const token = newSessionToken();
    const createdAt = this.now();
    const expiresAt = new Date(createdAt.getTime() + input.ttlSeconds * 1000);
    const id = randomUUID();
    await this.prisma.launchSession.create({
      data: {
        id,
        tokenHash: tokenHash(token),
        playerId: input.playerId,
        gameId: input.gameId,
        providerId: input.providerId,
        mode: input.mode,
        currency: input.currency,
        jurisdiction: input.jurisdiction,
        minimumGameCycleMs: input.minimumGameCycleMs,
        demoBalanceMinor: input.demoBalanceMinor,
        createdAt,
        expiresAt,
      },
    });
    return { id, token, expiresAt, createdAt };
  }
}
