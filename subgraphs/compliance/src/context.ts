import type { BaseContext } from "@casino/kernel/graphql/subgraph";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { ComplianceLoaders } from "./loaders.ts";
import type { ComplianceCases } from "./case-service.ts";
import type { RealityChecks } from "./reality-check-service.ts";
import type { RuleBook } from "./rulebook.ts";
import type { ResponsibleGambling } from "./responsible-gambling-service.ts";

export interface ComplianceContext extends BaseContext {
  prisma: PrismaClient;
  loaders: ComplianceLoaders;
  /** The service's clock: decisions and the rule set in force depend on it; tests inject one. */
  now: () => Date;
  rg: ResponsibleGambling;
  realityChecks: RealityChecks;
  rules: RuleBook;
  cases: ComplianceCases;
}
