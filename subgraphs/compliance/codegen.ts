import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("ComplianceContext", {
  PlayerRestrictions: "../views.ts#RestrictionsView",
  RuleSet: "../generated/prisma/client.ts#RuleSet as RuleSetModel",
  DepositLimit: "../generated/prisma/client.ts#DepositLimit as DepositLimitModel",
  Exclusion: "../generated/prisma/client.ts#Exclusion as ExclusionModel",
  AuditEntry: "../generated/prisma/client.ts#AuditLog as AuditLogModel",
  ResponsibleGambling: "../views.ts#ResponsibleGamblingView",
  ComplianceCase: "../generated/prisma/client.ts#ComplianceCase as ComplianceCaseModel",
  CaseNote: "../generated/prisma/client.ts#CaseNote as CaseNoteModel",
});
