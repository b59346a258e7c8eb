import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("ComplianceContext", {
  PlayerRestrictions: "../views.ts#RestrictionsView",
  RuleSet: "../generated/prisma/client.ts#RuleSet as RuleSetModel",
});
