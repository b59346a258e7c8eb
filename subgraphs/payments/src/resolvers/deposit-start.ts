import type { DepositStartResolvers } from "../generated/graphql.ts";

export const DepositStart: DepositStartResolvers = {
  nextAction: ({ nextAction }) => {
    if (!nextAction) return null;
    return nextAction.type === "REDIRECT"
      ? { type: "REDIRECT", url: nextAction.url, clientSecret: null }
      : { type: "CLIENT_SECRET", url: null, clientSecret: nextAction.value };
  },
};
