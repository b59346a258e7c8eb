import { z } from "@casino/kernel/config";

/** What selecting a rule set needs to know of one version; the Prisma row satisfies it. */
export interface RuleSetVersion {
  jurisdiction: string;
  version: number;
  effectiveFrom: Date;
}

/**
 * The rule set in force for `jurisdiction` at `at`: the highest version whose effectiveFrom has
 * been reached. A version loaded ahead of its date is ignored until that date and then takes over
 * by itself, with no deployment. Undefined when the jurisdiction has no version in force yet.
 */
export function ruleSetInForce<R extends RuleSetVersion>(ruleSets: readonly R[], jurisdiction: string, at: Date): R | undefined {
  let inForce: R | undefined;
  for (const candidate of ruleSets) {
    if (candidate.jurisdiction !== jurisdiction || candidate.effectiveFrom.getTime() > at.getTime()) continue;
    if (!inForce || candidate.version > inForce.version) inForce = candidate;
  }
  return inForce;
}

const source = z.string().min(1);

/**
 * The part of a rule set the restriction decision reads. Rule sets carry more (deposit limits,
 * stake limits, game design ...) for the services that enforce them; those are not parsed here.
 */
const decisionRulesSchema = z.object({
  minimumAge: z.object({ years: z.number().int().min(0).max(100), source }),
  ageAndIdentityVerification: z.object({
    requiredBeforeDeposit: z.boolean(),
    requiredBeforePlay: z.boolean(),
    source,
  }),
  selfExclusion: z.object({ gamstopParticipationRequired: z.boolean().default(false), source }).optional(),
});

export type DecisionRules = z.infer<typeof decisionRulesSchema>;

/** A rule set whose JSON lacks what the decision needs: a data error in a loaded version. */
export class InvalidRuleSetError extends Error {
  constructor(
    readonly jurisdiction: string,
    readonly version: number,
    readonly problems: string[],
  ) {
    super(`Rule set ${jurisdiction} v${version} is invalid: ${problems.join("; ")}`);
    this.name = "InvalidRuleSetError";
  }
}

export function parseDecisionRules(ruleSet: RuleSetVersion & { rules: unknown }): DecisionRules {
  const parsed = decisionRulesSchema.safeParse(ruleSet.rules);
  if (!parsed.success) {
    throw new InvalidRuleSetError(
      ruleSet.jurisdiction,
      ruleSet.version,
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  return parsed.data;
}
