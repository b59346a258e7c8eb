import { randomBytes } from "node:crypto";
import type { ComplianceGate, LaunchSessionResolver, LaunchSessionView, StakeCheck } from "../../../src/rgs/ports.ts";

/** Launch sessions as launchGame would issue them, kept in memory: the RGS layer only resolves tokens. */
export class FakeLaunchSessions implements LaunchSessionResolver {
  private readonly sessions = new Map<string, LaunchSessionView>();
  resolved = 0;

  open(view: Omit<LaunchSessionView, "id" | "expiresAt" | "expired"> & { expired?: boolean }): string {
    const token = randomBytes(24).toString("base64url");
    const expired = view.expired ?? false;
    this.sessions.set(token, { ...view, id: `s-${token.slice(0, 8)}`, expiresAt: new Date(Date.now() + (expired ? -60_000 : 3_600_000)), expired });
    return token;
  }

  /** Ends a session early, as endGameSession does: no new bets. */
  end(token: string): void {
    const view = this.sessions.get(token);
    if (!view) throw new Error("no such session");
    this.sessions.set(token, { ...view, expired: true });
  }

  async resolve(token: string): Promise<LaunchSessionView | null> {
    this.resolved++;
    return this.sessions.get(token) ?? null;
  }
}

/** Compliance's stake check, scripted per player: allowed, refused with reasons, or unreachable. */
export class FakeCompliance implements ComplianceGate {
  readonly refusals = new Map<string, string[]>();
  down = false;
  checks = 0;

  async stake(input: { playerId: string }): Promise<StakeCheck> {
    this.checks++;
    if (this.down) throw new Error("compliance could not be reached: connect ECONNREFUSED");
    const reasons = this.refusals.get(input.playerId);
    return reasons ? { allowed: false, reasons, maxStake: null } : { allowed: true, reasons: [], maxStake: null };
  }
}
