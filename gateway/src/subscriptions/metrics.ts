import { Counter, Gauge, type Registry } from "prom-client";

export type MessageOutcome = "delivered" | "coalesced" | "dropped";

export interface SubscriptionMetrics {
  open: Gauge<"topic">;
  messages: Counter<"topic" | "outcome">;
  refetches: Counter<"topic">;
}

export function createSubscriptionMetrics(registry: Registry): SubscriptionMetrics {
  return {
    open: new Gauge({
      name: "gateway_subscriptions_open",
      help: "Open GraphQL subscriptions on this gateway instance",
      labelNames: ["topic"],
      registers: [registry],
    }),
    messages: new Counter({
      name: "gateway_subscription_messages_total",
      help: "Live messages by outcome: delivered to a subscriber, coalesced into a newer one, or dropped",
      labelNames: ["topic", "outcome"],
      registers: [registry],
    }),
    refetches: new Counter({
      name: "gateway_subscription_refetches_total",
      help: "Subscription events resolved through the twin query because the message lacked selected fields",
      labelNames: ["topic"],
      registers: [registry],
    }),
  };
}
