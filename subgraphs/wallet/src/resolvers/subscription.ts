import { GraphQLError } from "graphql";
import type { SubscriptionResolvers } from "../generated/graphql.ts";

/**
 * Declared here so it composes into the supergraph, but executed by the gateway's graphql-ws server
 * from live messages; a subscription sent straight to this subgraph is refused.
 */
export const Subscription: SubscriptionResolvers = {
  balanceChanged: {
    subscribe: () => {
      throw new GraphQLError("Subscribe through the gateway's WebSocket endpoint", { extensions: { code: "BAD_REQUEST" } });
    },
  },
};
