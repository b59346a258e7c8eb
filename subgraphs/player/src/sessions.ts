import { notFound } from "@casino/kernel/errors";
import { isUuid } from "@casino/kernel/ids";
import type { AuthSession, PrismaClient } from "./generated/prisma/client.ts";
import type { SessionRevocations } from "./session-revocations.ts";

/** A player's session as the API shows it. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export function toSessionView(session: AuthSession, currentSessionId: string | undefined): SessionView {
  return {
    id: session.id,
    createdAt: session.createdAt.toISOString(),
    lastUsedAt: session.lastUsedAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    userAgent: session.userAgent,
    ip: session.ipAddress,
    current: session.id === currentSessionId,
  };
}

/** Sessions still usable: not revoked, not expired. */
export const openSessionsOf = (playerIds: readonly string[], now: Date) => ({
  subjectType: "PLAYER" as const,
  subjectId: { in: [...playerIds] },
  revokedAt: null,
  expiresAt: { gt: now },
});

export class SessionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly revocations: SessionRevocations,
  ) {}

  /**
   * Ends one of the player's sessions: its refresh token and its access tokens stop working. Another
   * player's session answers exactly like a missing one, so ids cannot be probed.
   */
  async revoke(playerId: string, sessionId: string, reason: string): Promise<boolean> {
    const id = sessionId.trim().toLowerCase();
    if (!isUuid(id)) throw notFound("Session");
    const revoked = await this.prisma.$transaction((tx) =>
      this.revocations.revokeWhere(tx, { id, subjectType: "PLAYER", subjectId: playerId }, reason),
    );
    if (revoked.length === 0) throw notFound("Session");
    return true;
  }
}
