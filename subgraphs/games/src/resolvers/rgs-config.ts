import type { MutationResolvers, QueryResolvers } from "../generated/graphql.ts";

/** Staff's RGS provider configuration (admin only, see policies.ts). */
export const RgsConfigQuery: QueryResolvers = {
  rgsProviderConfig: (_parent, { providerId }, ctx) => ctx.rgsConfigs.view(providerId),
  rgsProviderConfigs: (_parent, _args, ctx) => ctx.rgsConfigs.list(),
};

export const RgsConfigMutation: MutationResolvers = {
  configureRgsProvider: async (_parent, { input }, ctx) => {
    if (ctx.principal.kind !== "staff") throw new Error("unreachable: Mutation.configureRgsProvider is for admin staff only");
    const { config, changed } = await ctx.rgsConfigs.configure(input, ctx.principal.staffId);
    // The audit's log line: who and which fields, never a value (the event in the outbox says the same).
    if (changed.length > 0) ctx.log.info({ staffId: ctx.principal.staffId, provider: config.provider.code, fields: changed }, "RGS provider configuration changed");
    return config;
  },
};
