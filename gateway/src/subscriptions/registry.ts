import { getNamedType, type GraphQLField, type GraphQLSchema } from "graphql";
import type { Logger } from "@casino/kernel/logger";

/** How one Subscription field is fed from the live channel. */
export interface LiveTopic {
  /** The LiveMessage.topic that feeds the field. */
  topic: string;
  /**
   * A Query field returning the same type, run through the gateway for selections the message does
   * not carry. Without one, such selections get an error.
   */
  twinQuery?: string;
  /**
   * true for state (a balance): a slow subscriber only needs the newest message. false for events:
   * each is delivered, in order, up to a bounded backlog.
   */
  coalesce: boolean;
  /** The twin's argument that takes the subscriber's verified player id. Default "playerId". */
  playerArgument?: string;
  /**
   * Twin arguments read from a dotted path of the payload. Other twin arguments are read from the
   * payload field of the same name, when present.
   */
  argumentPaths?: Record<string, string>;
}

/** Live topics by Subscription field name. */
export type LiveTopicRegistry = Readonly<Record<string, LiveTopic>>;

export const DEFAULT_LIVE_TOPICS: LiveTopicRegistry = {
  balanceChanged: {
    topic: "balanceChanged",
    twinQuery: "balanceOfPlayer",
    coalesce: true,
    // The refetch must describe the balance that changed, not the wallet's default currency.
    argumentPaths: { currency: "balance.currency" },
  },
  gameStateChanged: { topic: "gameStateChanged", twinQuery: "gameStateOfPlayer", coalesce: false },
  // Every reminder is delivered; the message carries every field of RealityCheck, so no twin.
  realityCheck: { topic: "realityCheck", coalesce: false },
};

export interface ResolvedTopic {
  readonly field: string;
  readonly topic: string;
  readonly coalesce: boolean;
  readonly subscriptionField: GraphQLField<unknown, unknown>;
  readonly twin: GraphQLField<unknown, unknown> | undefined;
  readonly playerArgument: string;
  readonly argumentPaths: Readonly<Record<string, readonly string[]>>;
}

/**
 * Keeps the registry entries whose Subscription field exists in the loaded schema, so a topic for a
 * subgraph that is not composed yet is simply not served. A twin that is missing or returns another
 * type is dropped with a warning: refetching through it could not produce the subscription's shape.
 */
export function resolveTopics(schema: GraphQLSchema, registry: LiveTopicRegistry, log?: Logger): Map<string, ResolvedTopic> {
  const resolved = new Map<string, ResolvedTopic>();
  const subscriptionFields = schema.getSubscriptionType()?.getFields() ?? {};
  const queryFields = schema.getQueryType()?.getFields() ?? {};
  for (const [field, entry] of Object.entries(registry)) {
    const subscriptionField = subscriptionFields[field];
    if (!subscriptionField) continue;
    let twin = entry.twinQuery ? queryFields[entry.twinQuery] : undefined;
    if (entry.twinQuery && !twin) {
      log?.warn({ field, twinQuery: entry.twinQuery }, "twin query of a subscription field is not in the schema; only payload fields can be served");
    }
    if (twin && getNamedType(twin.type) !== getNamedType(subscriptionField.type)) {
      log?.warn({ field, twinQuery: entry.twinQuery }, "twin query returns a different type than its subscription field; ignoring it");
      twin = undefined;
    }
    resolved.set(field, {
      field,
      topic: entry.topic,
      coalesce: entry.coalesce,
      subscriptionField,
      twin,
      playerArgument: entry.playerArgument ?? "playerId",
      argumentPaths: Object.fromEntries(Object.entries(entry.argumentPaths ?? {}).map(([arg, path]) => [arg, path.split(".")])),
    });
  }
  return resolved;
}
