import { createHash, randomBytes, randomUUID } from "node:crypto";
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

  /** The session a token belongs to, or null for a token we never issued. */
  async resolve(token: string): Promise<LaunchSessionView | null> {
    if (typeof token !== "string" || token.length === 0 || token.length > 256) return null;
    const row = await this.prisma.launchSession.findUnique({
      where: { tokenHash: tokenHash(token) },
      include: { game: { select: { code: true, provider: { select: { code: true } } } } },
    });
    if (!row) return null;
    return {
      id: row.id,
      playerId: row.playerId,
      gameId: row.gameId,
      gameCode: row.game.code,
      providerId: row.providerId,
      providerCode: row.game.provider.code,
      mode: row.mode,
      currency: row.currency,
      jurisdiction: row.jurisdiction,
      expiresAt: row.expiresAt,
      expired: row.endedAt !== null || row.expiresAt.getTime() <= this.now().getTime(),
    };
  }
}
