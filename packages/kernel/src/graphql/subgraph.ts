import type { IncomingMessage } from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import express from "express";
import { GraphQLError, type DocumentNode } from "graphql";
import type { Principal } from "../auth/principal.ts";
import type { TokenVerifier } from "../auth/tokens.ts";
import type { Logger } from "../logger.ts";
import { graphqlRoute } from "../http/graphql-route.ts";
import { metricsPlugin, type Metrics } from "../http/metrics.ts";
import type { RunningHttpServer } from "../http/server.ts";
import { applyFieldPolicies, type AuthContext, type Policy } from "./authorize.ts";

export interface BaseContext extends AuthContext {
  principal: Principal;
  requestId: string;
  log: Logger;
  /** What the request says about the client (recorded on sessions, audit entries). */
  client: ClientInfo;
}

export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * User agent and address of the client. Behind a proxy on this host (the gateway, a local load
 * balancer) the address is the first X-Forwarded-For entry, as express's "trust proxy: loopback" gives.
 */
export function clientInfoOf(req: IncomingMessage): ClientInfo {
  const agent = req.headers["user-agent"];
  const remote = req.socket.remoteAddress ?? null;
  const forwarded = req.headers["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  return {
    userAgent: typeof agent === "string" ? agent.slice(0, 256) : null,
    ip: remote && LOOPBACK.has(remote) && first ? first : remote,
  };
}

export interface SubgraphDefinition<Ctx extends BaseContext> {
  typeDefs: DocumentNode;
  // The codegen'd resolver types are structurally compatible; federation's own map type is loose.
  resolvers: object;
  policies: Record<string, Policy<Ctx>>;
  /** Adds the service's own members (loaders, clients) to the base context of each request. */
  createContext(base: BaseContext): Ctx | Promise<Ctx>;
}

const SUBGRAPH_MAX_BODY_BYTES = 1024 * 1024;

/** Turns unexpected errors into an opaque message; domain errors (with a code) pass through. */
function maskUnexpected(log: Logger) {
  return (formatted: { message: string; extensions?: Record<string, unknown> }, error: unknown) => {
    const code = formatted.extensions?.code;
    if (code && code !== "INTERNAL_SERVER_ERROR") return formatted;
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    log.error({ err: original }, "unexpected resolver error");
    return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}

/** Mounts a Federation 2 subgraph at /graphql with per-field authorization and token checks. */
export async function mountSubgraph<Ctx extends BaseContext>(
  http: RunningHttpServer,
  def: SubgraphDefinition<Ctx>,
  deps: { verifier: TokenVerifier; log: Logger; metrics: Metrics; plugins?: ApolloServerPlugin[] },
): Promise<ApolloServer<Ctx>> {
  const schema = applyFieldPolicies(
    buildSubgraphSchema({ typeDefs: def.typeDefs, resolvers: def.resolvers as GraphQLResolverMap<unknown> }),
    def.policies,
  );
  const server = new ApolloServer<Ctx>({
    schema,
    introspection: process.env.NODE_ENV !== "production",
    formatError: maskUnexpected(deps.log),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: http.server }),
      // Traces are for Apollo Studio, which this platform does not report to.
      ApolloServerPluginInlineTraceDisabled(),
      // No HTTP cache hints are used; the default plugin would wrap every field of every request.
      ApolloServerPluginCacheControlDisabled(),
      metricsPlugin(deps.metrics),
      ...(deps.plugins ?? []),
    ],
  });
  await server.start();
  const context = async (req: IncomingMessage): Promise<Ctx> => {
    const requestId = String(req.headers["x-request-id"] ?? "");
    const principal = await deps.verifier.fromAuthorizationHeader(req.headers.authorization);
    return def.createContext({ principal, requestId, log: deps.log.child({ requestId }), client: clientInfoOf(req) });
  };
  // JSON POSTs (all the gateway sends) skip express; everything else takes the express mount.
  http.route("/graphql", graphqlRoute(server, { maxBodyBytes: SUBGRAPH_MAX_BODY_BYTES, context }));
  http.app.use("/graphql", express.json({ limit: SUBGRAPH_MAX_BODY_BYTES }), expressMiddleware(server, { context: ({ req }) => context(req) }));
  return server;
}
