import { ComplianceUnavailableError, type PlayAnswer } from "@casino/compliance-client";
import { appError, notFound } from "@casino/kernel/errors";
import { parseId } from "@casino/kernel/ids";
import type { LaunchMode, LaunchSession, PrismaClient } from "../generated/prisma/client.ts";
import type { GamesConfig } from "../config.ts";
import { gameKindOf, type CompliancePort } from "../rounds/rounds.ts";
import type { LaunchSessions } from "./sessions.ts";

export interface LaunchResult {
  session: LaunchSession;
  url: string;
  token: string;
}

/** Fills a launch URL template; every value is URL-encoded. */
export function fillLaunchUrl(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? encodeURIComponent(values[name]!) : whole));
}

/**
 * launchGame: opens a session for a game the player may play now. Compliance is asked once (both
 * modes: UKGC requires age and identity verification before free-to-play too) and its answer fixes
 * the session's jurisdiction, currency and RTS 14 game cycle; every round then asks again for its
 * stake, so a restriction set during the session stops the next round.
 */
export class GameLauncher {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sessions: LaunchSessions,
    private readonly compliance: CompliancePort | undefined,
    private readonly config: Pick<GamesConfig, "sessionTtlSeconds" | "proprietaryLaunchUrl" | "demoBalanceMinor">,
  ) {}

  async launch(playerId: string, gameIdInput: string, mode: LaunchMode): Promise<LaunchResult> {
    const gameId = parseId(gameIdInput, "gameId");
    const game = await this.prisma.game.findUnique({ where: { id: gameId }, include: { provider: true } });
    if (!game) throw notFound("Game");
    if (!game.enabled || !game.provider.enabled) throw appError("GAME_NOT_AVAILABLE", "This game is not in the lobby", { gameId });

    if (!this.compliance) throw appError("SERVICE_UNAVAILABLE", "Compliance is not configured for this games service (COMPLIANCE_URL)");
    let answer: PlayAnswer;
    try {
      answer = await this.compliance.play({ playerId, gameKind: gameKindOf(game.type) });
    } catch (err) {
      if (err instanceof ComplianceUnavailableError) throw appError("SERVICE_UNAVAILABLE", "Compliance could not confirm that you may play now; try again shortly");
      throw err;
    }
    if (!answer.allowed || !answer.jurisdiction || !answer.currency || !answer.design) {
      throw appError("PLAY_NOT_ALLOWED", `You may not play now (${answer.reasons.join(", ") || "no answer"})`, { reasons: answer.reasons });
    }
    if (!game.jurisdictions.includes(answer.jurisdiction)) {
      throw appError("GAME_NOT_AVAILABLE", `This game is not licensed in ${answer.jurisdiction}`, { gameId, reasons: ["JURISDICTION"] });
    }
    if (game.stakeCurrency !== answer.currency) {
      throw appError("GAME_NOT_AVAILABLE", `This game is offered in ${game.stakeCurrency}, your account plays in ${answer.currency}`, { gameId, reasons: ["CURRENCY"] });
    }
    const opened = await this.sessions.open({
      playerId,
      gameId,
      providerId: game.providerId,
      mode,
      currency: answer.currency,
      jurisdiction: answer.jurisdiction,
      minimumGameCycleMs: answer.design.minimumGameCycleMs,
      demoBalanceMinor: mode === "DEMO" ? this.config.demoBalanceMinor : null,
      ttlSeconds: this.config.sessionTtlSeconds,
    });
    const values = { token: opened.token, session: opened.id, game: game.code, mode: mode.toLowerCase(), currency: answer.currency, lang: "en" };
    const template = game.provider.integration === "PROPRIETARY" ? this.config.proprietaryLaunchUrl : game.provider.launchUrlTemplate;
    if (!template) throw appError("GAME_NOT_AVAILABLE", `Provider ${game.provider.code} has no launch URL configured`, { gameId });
    const session = await this.prisma.launchSession.findUniqueOrThrow({ where: { id: opened.id } });
    return { session, url: fillLaunchUrl(template, values), token: opened.token };
  }

  /** Ends a session of the player's: no further rounds (a remote provider's wins and rollbacks still land). */
  async end(playerId: string, sessionIdInput: string, now: Date): Promise<LaunchSession> {
    const id = parseId(sessionIdInput, "sessionId");
    const session = await this.prisma.launchSession.findUnique({ where: { id } });
    if (!session || session.playerId !== playerId) throw notFound("Game session");
    if (session.endedAt) return session;
    await this.prisma.launchSession.updateMany({ where: { id, endedAt: null }, data: { endedAt: now } });
    return this.prisma.launchSession.findUniqueOrThrow({ where: { id } });
  }
}
