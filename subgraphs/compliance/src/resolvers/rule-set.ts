import type { RuleSetResolvers } from "../generated/graphql.ts";
import { ruleSetInForce } from "../ruleset.ts";

export const RuleSet: RuleSetResolvers = {
  __resolveReference: (ref, ctx) => ctx.loaders.ruleSetById.load(ref.id),
  effectiveFrom: (ruleSet) => ruleSet.effectiveFrom.toISOString(),
  rules: (ruleSet) => JSON.stringify(ruleSet.rules),
  active: async (ruleSet, _args, ctx) => {
    const versions = await ctx.loaders.ruleSetsByJurisdiction.load(ruleSet.jurisdiction);
    return ruleSetInForce(versions, ruleSet.jurisdiction, ctx.now())?.id === ruleSet.id;
  },
};
