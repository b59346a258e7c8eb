import { GraphQLError } from "graphql";
import type { SubscriptionResolvers } from "../generated/graphql.ts";

/**
 * Declared here so it composes into the supergraph, but served by the gateway's graphql-ws server
 * from the live channel (topic "gameStateChanged", twin query gameStateOfPlayer); a subscription
 * sent straight to this subgraph is refused.
 */
export const Subscription: SubscriptionResolvers = {
  gameStateChanged: {
    subscribe: () => {
      throw new GraphQLError("Subscribe through the gateway's WebSocket endpoint", { extensions: { code: "BAD_REQUEST" } });
    },
  },
};
