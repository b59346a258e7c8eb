import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import type { ComplianceContext } from "./context.ts";

const ownRestrictions = allow.ownerOrStaff((parent) => (parent as { playerId?: string }).playerId, "support", "kyc", "compliance");

/** Every field of the compliance subgraph and who may resolve it (deny by default). */
export const policies: Record<string, Policy<ComplianceContext>> = {
  "Query.restrictionsOfPlayer": allow.staff("support", "kyc", "compliance"),
  "Query.ruleSets": allow.staff("compliance"),
  "Query.responsibleGamblingOfPlayer": allow.staff("support", "compliance"),
  "Query.auditLog": allow.staff("compliance"),
  // Cases are staff-only: never an entity, never on Player, so no path leads a player to one.
  "Query.cases": allow.staff("support", "compliance"),
  "Query.case": allow.staff("support", "compliance"),
  "Query.suspiciousActivityReportDraft": allow.staff("compliance"),
  "Mutation.openCase": allow.staff("compliance"),
  "Mutation.assignCase": allow.staff("compliance"),
  "Mutation.addCaseNote": allow.staff("compliance"),
  "Mutation.resolveCase": allow.staff("compliance"),
  "ComplianceCase.*": allow.inherited,
  "CaseNote.*": allow.inherited,
  "ComplianceCaseEdge.*": allow.inherited,
  "ComplianceCaseConnection.*": allow.inherited,
  "SuspiciousActivityReportDraft.*": allow.inherited,
  "Mutation.setDepositLimit": allow.player,
  "Mutation.confirmDepositLimitIncrease": allow.player,
  "Mutation.takeTimeOut": allow.player,
  "Mutation.setRealityCheckInterval": allow.player,
  "Subscription.realityCheck": allow.player,
  "RealityCheck.*": allow.inherited,
  "Mutation.selfExclude": allow.player,
  "Mutation.selfExcludePlayer": allow.staff("compliance"),
  "Mutation.setPlayerBlocked": allow.staff("compliance"),
  "Mutation.loadRuleSet": allow.staff("compliance"),
  "Player.responsibleGambling": allow.ownerOrStaff((parent) => (parent as { id?: string }).id, "support", "compliance"),
  "ResponsibleGambling.*": allow.ownerOrStaff((parent) => (parent as { playerId?: string }).playerId, "support", "compliance"),
  "DepositLimit.*": allow.inherited,
  "Exclusion.*": allow.inherited,
  "Money.*": allow.inherited,
  "AuditEntry.*": allow.inherited,
  "AuditLogEdge.*": allow.inherited,
  "AuditLogConnection.*": allow.inherited,
  "PageInfo.*": allow.inherited,
  "Player.id": allow.inherited,
  "Player.country": allow.inherited,
  "Player.restrictions": allow.ownerOrStaff((parent) => (parent as { id?: string }).id, "support", "kyc", "compliance"),
  "PlayerRestrictions.*": ownRestrictions,
  // An entity: reachable through _entities as well as through Query.ruleSets, so it checks itself.
  "RuleSet.*": allow.staff("compliance"),
};
