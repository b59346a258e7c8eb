import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import type { LaunchMode, PrismaClient } from "../generated/prisma/client.ts";

/** What the RGS layer and the rounds need to know of a session, given its token. */
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
    /** The same database, raw: resolve() runs on every RGS callback. */
    private readonly sql: SqlExecutor,
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

  /**
   * The session a token belongs to, or null for a token we never issued. One statement on the raw
   * executor: through Prisma the same read (session, its game, the game's provider) was three
   * statements plus the client's own work, on the hot path of every callback.
   */
  async resolve(token: string): Promise<LaunchSessionView | null> {
    if (typeof token !== "string" || token.length === 0 || token.length > 256) return null;
    const [row] = await this.sql.query<{
      id: string;
      player_id: string;
      game_id: string;
      game_code: string;
      provider_id: string;
      provider_code: string;
      mode: LaunchMode;
      currency: string;
      jurisdiction: string;
      expires_at: Date;
      ended_at: Date | null;
    }>(
      `SELECT s.id::text AS id, s.player_id::text AS player_id, s.game_id::text AS game_id, g.code AS game_code, s.provider_id::text AS provider_id,
              p.code AS provider_code, s.mode::text AS mode, s.currency::text AS currency, s.jurisdiction::text AS jurisdiction, s.expires_at, s.ended_at
         FROM launch_session s JOIN game g ON g.id = s.game_id JOIN provider p ON p.id = g.provider_id
        WHERE s.token_hash = $1`,
      [tokenHash(token)],
    );
    if (!row) return null;
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
      expiresAt: row.expires_at,
      expired: row.ended_at !== null || row.expires_at.getTime() <= this.now().getTime(),
    };
  }
}
