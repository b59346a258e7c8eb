import type { Logger } from "@casino/kernel/logger";
import type { PrismaClient, RuleSet } from "./generated/prisma/client.ts";
import { ruleSetInForce } from "./ruleset.ts";

/**
 * Every rule set version, kept in memory. Rule sets are immutable (a database trigger refuses
 * edits), so the only change is a new version; it is picked up by the periodic reload, or at once
 * in the process that loads it. Which version is in force is decided on every call by the clock,
 * so a version loaded ahead of its date starts applying on that date by itself.
 */
export class RuleBook {
  private versions: RuleSet[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
  ) {}

  async reload(): Promise<void> {
    this.versions = await this.prisma.ruleSet.findMany({ orderBy: [{ jurisdiction: "asc" }, { version: "desc" }] });
  }

  async start(reloadEveryMs = 30_000): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) => this.log.warn({ err }, "rule set reload failed; keeping the loaded versions"));
    }, reloadEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  versionsOf(jurisdiction: string): RuleSet[] {
    return this.versions.filter((v) => v.jurisdiction === jurisdiction);
  }

  /** Every jurisdiction with a loaded version. */
  jurisdictions(): string[] {
    return [...new Set(this.versions.map((v) => v.jurisdiction))];
  }

  inForce(jurisdiction: string, at: Date): RuleSet | undefined {
    return ruleSetInForce(this.versions, jurisdiction, at);
  }
}
