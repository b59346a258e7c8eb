import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ApolloServerPlugin } from "@apollo/server";

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  graphqlDuration: Histogram<"operation" | "type">;
  graphqlErrors: Counter<"code">;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request duration",
      labelNames: ["method", "route", "status"],
      // Fine below 5 ms: internal checks (compliance, wallet) have millisecond budgets.
      buckets: [0.0005, 0.001, 0.002, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: "graphql_operation_duration_seconds",
      help: "GraphQL operation duration",
      labelNames: ["operation", "type"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: "graphql_errors_total",
      help: "GraphQL errors by extension code",
      labelNames: ["code"],
      registers: [registry],
    }),
  };
}

/** Buckets in seconds, fine below 5 ms, for work with millisecond budgets. */
export const FINE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.00175, 0.002, 0.0025, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A histogram of a service's own (seconds), registered with its registry so /metrics serves it. */
export function serviceHistogram(metrics: Metrics, name: string, help: string, buckets: number[] = FINE_BUCKETS): Histogram {
  return new Histogram({ name, help, buckets, registers: [metrics.registry] });
}

/** Records operation latency and error codes for Prometheus. */
export function metricsPlugin(metrics: Metrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const stop = metrics.graphqlDuration.startTimer();
      return {
        async willSendResponse(ctx) {
          stop({ operation: ctx.operationName ?? "anonymous", type: ctx.operation?.operation ?? "unknown" });
        },
        async didEncounterErrors(ctx) {
          for (const err of ctx.errors) metrics.graphqlErrors.inc({ code: String(err.extensions?.code ?? "INTERNAL_SERVER_ERROR") });
        },
      };
    },
  };
}
