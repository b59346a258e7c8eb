import type { IncomingMessage } from "node:http";
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type ErrorRequestHandler } from "express";
import { GraphQLError } from "graphql";
import type { SessionRevocationFeed } from "@casino/kernel/auth/revocations";
import { TokenVerifier } from "@casino/kernel/auth/tokens";
import type { ServiceName } from "@casino/kernel/config";
import type { LiveChannel } from "@casino/kernel/events/types";
import { createMetrics, metricsPlugin, type Metrics } from "@casino/kernel/http/metrics";
import { graphqlRoute } from "@casino/kernel/http/graphql-route";
import { createHttpServer } from "@casino/kernel/http/server";
import { createLogger, type Logger } from "@casino/kernel/logger";
import type { GatewayConfig } from "./config.ts";
import { clientInfoOf } from "@casino/kernel/graphql/subgraph";
import { forwardedHeaders, type GatewayContext } from "./context.ts";
import { createSubgraphFetcher, type Fetcher } from "./fetcher.ts";
import { costWithVariablesPlugin, limitRules } from "./limits.ts";
import { RevokedSessions } from "./revoked-sessions.ts";
import { createSubscriptionMetrics } from "./subscriptions/metrics.ts";
import { DEFAULT_LIVE_TOPICS, type LiveTopicRegistry } from "./subscriptions/registry.ts";
import { attachSubscriptionServer, type SubscriptionServer } from "./subscriptions/server.ts";

export type { GatewayConfig } from "./config.ts";
export { loadGatewayConfig } from "./config.ts";
export type { GatewayContext } from "./context.ts";
export { DEFAULT_LIVE_TOPICS, type LiveTopic, type LiveTopicRegistry } from "./subscriptions/registry.ts";

export const GRAPHQL_PATH = "/graphql";

export interface GatewayOptions {
  /** Composed supergraph SDL (schema/supergraph.graphql). */
  supergraphSdl: string;
  config: GatewayConfig;
  /** Where subgraphs publish per-player live messages (Redis pub/sub across instances). */
  live: LiveChannel;
  /** Revoked sessions, whose access tokens are refused before they expire (Redis across instances). */
  revocations: SessionRevocationFeed;
  log?: Logger;
  /** Subscription fields and their live topics; defaults to DEFAULT_LIVE_TOPICS. */
  liveTopics?: LiveTopicRegistry;
}

export interface RunningGateway {
  /** HTTP endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** The same endpoint for graphql-ws clients. */
  wsUrl: string;
  port: number;
  metrics: Metrics;
  subscriptions: SubscriptionServer;
  /** The gateway's copy of the revoked sessions. */
  revokedSessions: RevokedSessions;
  stop(): Promise<void>;
}

class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  // The subgraphs verify the token again and authorise per field, so it travels unchanged.
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    for (const [name, value] of Object.entries(forwardedHeaders(context))) headers.set(name, value);
  }
}

function apolloLogger(log: Logger) {
  return {
    debug: (message?: unknown) => log.debug(String(message)),
    info: (message?: unknown) => log.info(String(message)),
    warn: (message?: unknown) => log.warn(String(message)),
    error: (message?: unknown) => log.error(String(message)),
  };
}

const rejectSubscriptionsOverHttp: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation !== "subscription") return;
        throw new GraphQLError("Subscriptions are served over WebSocket (graphql-ws protocol) on this same path", {
          extensions: { code: "BAD_REQUEST", http: { status: 400 } },
        });
      },
    };
  },
};

function bodyErrors(maxBytes: number): ErrorRequestHandler {
  return (err: { type?: string }, _req, res, next) => {
    if (err.type === "entity.too.large") {
      res.status(413).json({ errors: [{ message: `Request body larger than ${maxBytes} bytes`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] });
    } else if (err.type === "entity.parse.failed") {
      res.status(400).json({ errors: [{ message: "Request body is not valid JSON", extensions: { code: "BAD_REQUEST" } }] });
    } else {
      next(err);
    }
  };
}

/**
 * The public GraphQL endpoint: @apollo/gateway over the static supergraph on Apollo Server, with
 * bearer tokens verified at the edge, abuse limits, and graphql-ws subscriptions on the same path.
 */
export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  // Read by the ApolloGateway constructor; otherwise it reports usage to Apollo.
  process.env.APOLLO_TELEMETRY_DISABLED ??= "1";
  const { config } = opts;
  const log = opts.log ?? createLogger("gateway", config.logLevel);
  const metrics = createMetrics("gateway");
  const verifier = await TokenVerifier.fromPem(config.jwtPublicKey, config.jwtIssuer);
  const revokedSessions = new RevokedSessions(log.child({ component: "revoked-sessions" }));
  const stopFollowing = await revokedSessions.follow(opts.revocations);
  const subgraphFetcher = createSubgraphFetcher();
  const fetcher: Fetcher = subgraphFetcher.fetcher;

  const gateway = new ApolloGateway({
    supergraphSdl: opts.supergraphSdl,
    buildService: ({ name, url }) => new SubgraphDataSource({ url: config.subgraphUrls[name as ServiceName] ?? url, fetcher }),
    logger: apolloLogger(log.child({ component: "apollo-gateway" })),
    // Query plans in responses would describe the subgraphs to anyone who asks.
    __exposeQueryPlanExperimental: false,
  });

  const http = createHttpServer({
    service: "gateway",
    port: config.port,
    ...(config.host ? { host: config.host } : {}),
    log,
    metrics,
    // A gateway that cannot check revocations refuses every authenticated request: take it out of rotation.
    readiness: [
      async () => {
        if (!revokedSessions.available) throw new Error("session revocations unavailable");
      },
    ],
  });
  // Attached before the gateway loads so it sees the first schema.
  const subscriptions = attachSubscriptionServer({
    httpServer: http.server,
    path: GRAPHQL_PATH,
    gateway,
    verifier,
    revokedSessions,
    live: opts.live,
    topics: opts.liveTopics ?? DEFAULT_LIVE_TOPICS,
    limits: config.limits,
    introspection: config.introspection,
    settings: config.subscriptions,
    metrics: createSubscriptionMetrics(metrics.registry),
    log,
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    validationRules: limitRules(config.limits),
    includeStacktraceInErrorResponses: false,
    logger: apolloLogger(log.child({ component: "apollo-server" })),
    // main.ts owns the signals and shuts the live channel down after the server.
    stopOnTerminationSignals: false,
    plugins: [
      // HTTP cache hints are not used here; the default plugin would wrap every field of every request.
      ApolloServerPluginCacheControlDisabled(),
      metricsPlugin(metrics),
      costWithVariablesPlugin(config.limits.maxCost),
      rejectSubscriptionsOverHttp,
    ],
  });
  try {
    await apollo.start();
  } catch (err) {
    await subscriptions.dispose();
    await subgraphFetcher.close();
    await stopFollowing();
    throw err;
  }

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const authorization = req.headers.authorization;
    // Throws UNAUTHENTICATED (HTTP 401) for a bad or expired token and for a token of a revoked
    // session, SERVICE_UNAVAILABLE (503) while revocations cannot be checked; no header is anonymous.
    const principal = await verifier.fromAuthorizationHeader(authorization);
    revokedSessions.assertActive(principal);
    const { userAgent, ip } = clientInfoOf(req);
    return { principal, authorization, requestId: String(req.headers["x-request-id"] ?? ""), userAgent: userAgent ?? undefined, clientIp: ip ?? undefined };
  };
  // JSON POSTs skip express (same limits, same errors); GET and other content types take the mount below.
  http.route(GRAPHQL_PATH, graphqlRoute(apollo, { maxBodyBytes: config.limits.maxBodyBytes, context }));
  http.app.use(
    GRAPHQL_PATH,
    express.json({ limit: config.limits.maxBodyBytes }),
    expressMiddleware(apollo, { context: ({ req }) => context(req) }),
    bodyErrors(config.limits.maxBodyBytes),
  );
  await http.listen();

  let stopped: Promise<void> | undefined;
  return {
    url: `${http.url}${GRAPHQL_PATH}`,
    wsUrl: `${http.url.replace(/^http/, "ws")}${GRAPHQL_PATH}`,
    port: http.port,
    metrics,
    subscriptions,
    revokedSessions,
    stop: () =>
      (stopped ??= (async () => {
        await subscriptions.dispose();
        await http.close();
        await apollo.stop();
        await subgraphFetcher.close();
        await stopFollowing();
      })()),
  };
}
