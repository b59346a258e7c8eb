import type { ComplianceGate, StakeCheck } from "../../../src/rgs/ports.ts";

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
