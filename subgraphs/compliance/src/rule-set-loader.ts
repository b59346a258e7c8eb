import { randomUUID } from "node:crypto";
import { badInput } from "@casino/kernel/errors";
import { appendAudit, type Actor } from "./audit.ts";
import type { Prisma, PrismaClient, RuleSet } from "./generated/prisma/client.ts";
import { parseGameDesignRules } from "./game-design.ts";
import { parseRgRules } from "./responsible-gambling.ts";
import { InvalidRuleSetError, parseDecisionRules } from "./ruleset.ts";
import type { RuleBook } from "./rulebook.ts";

/**
 * Loads a new rule set version. A regulator's change is data: validated here against everything the
 * platform reads from rules, inserted as the next version (the table is append-only), written to the
 * audit log, and picked up by this process's rule book at once (other instances within their reload).
 */
export async function loadRuleSet(
  prisma: PrismaClient,
  rules: RuleBook,
  input: { jurisdiction: string; effectiveFrom: string; rules: string },
  actor: Actor,
  now: Date,
): Promise<RuleSet> {
  const jurisdiction = input.jurisdiction.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(jurisdiction)) throw badInput("jurisdiction must be an ISO 3166-1 alpha-2 code", "jurisdiction");
  const effectiveFrom = new Date(input.effectiveFrom);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(input.effectiveFrom) || Number.isNaN(effectiveFrom.getTime())) throw badInput("effectiveFrom must be an ISO 8601 instant", "effectiveFrom");
  if (effectiveFrom.getTime() < now.getTime()) throw badInput("effectiveFrom may not be in the past: a rule set cannot apply retroactively", "effectiveFrom");
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.rules);
  } catch {
    throw badInput("rules must be a JSON object", "rules");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw badInput("rules must be a JSON object", "rules");
  try {
    parseDecisionRules({ jurisdiction, version: 0, effectiveFrom, rules: parsed });
    parseRgRules({ jurisdiction, version: 0, effectiveFrom, rules: parsed });
    parseGameDesignRules({ jurisdiction, version: 0, effectiveFrom, rules: parsed });
  } catch (err) {
    if (err instanceof InvalidRuleSetError) throw badInput(`rules are incomplete: ${err.problems.join("; ")}`, "rules");
    throw err;
  }
  const created = await prisma.$transaction(async (tx) => {
    // Versions of one jurisdiction are numbered in order; the unique (jurisdiction, version) settles races.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`rule_set:${jurisdiction}`}))`;
    const last = await tx.ruleSet.findFirst({ where: { jurisdiction }, orderBy: { version: "desc" } });
    const row = await tx.ruleSet.create({
      data: { id: randomUUID(), jurisdiction, version: (last?.version ?? 0) + 1, effectiveFrom, rules: parsed as Prisma.InputJsonObject, createdBy: `${actor.kind}:${actor.id}` },
    });
    await appendAudit(tx, actor, "RULE_SET_LOADED", null, { jurisdiction, version: row.version, effectiveFrom: effectiveFrom.toISOString() }, now);
    return row;
  });
  await rules.reload();
  return created;
}
