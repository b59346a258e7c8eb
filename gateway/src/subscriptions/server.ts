import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { Duplex } from "node:stream";
import type { ApolloGateway } from "@apollo/gateway";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  execute,
  getOperationAST,
  isNonNullType,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { decodeJwt } from "jose";
import { WebSocketServer, type WebSocket } from "ws";
import type { Principal } from "@casino/kernel/auth/principal";
import type { TokenVerifier } from "@casino/kernel/auth/tokens";
import type { LiveChannel } from "@casino/kernel/events/types";
import type { Logger } from "@casino/kernel/logger";
import type { SubscriptionSettings } from "../config.ts";
import { forwardedHeaders, type GatewayContext } from "../context.ts";
import { limitRules, type OperationLimits } from "../limits.ts";
import type { RevokedSessions } from "../revoked-sessions.ts";
import { LiveSubscription } from "./live-subscription.ts";
import type { SubscriptionMetrics } from "./metrics.ts";
import { planSubscription, type SubscriptionPlan, type TwinQuery } from "./plan.ts";
import { resolveTopics, type LiveTopicRegistry, type ResolvedTopic } from "./registry.ts";
import { Semaphore } from "./semaphore.ts";

type PlayerPrincipal = Extract<Principal, { kind: "player" }>;
type GatewayRequestContext = Parameters<ApolloGateway["executor"]>[0];

/** WebSocket close code 1013 (RFC 6455 registry): the server cannot serve this now; the client may retry. */
const CLOSE_TRY_AGAIN_LATER = 1013;

/** What onConnect learns about a connection; kept on graphql-ws's `extra`. */
interface ConnectionState extends Record<PropertyKey, unknown> {
  principal: PlayerPrincipal;
  authorization: string;
  expiry: NodeJS.Timeout;
}

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  /** Only upgrades to this path are taken. */
  path: string;
  /** Must not be loaded yet: the schema arrives through onSchemaLoadOrUpdate. */
  gateway: ApolloGateway;
  verifier: TokenVerifier;
  /** Connections of a session revoked meanwhile are closed (4401); none are opened for one. */
  revokedSessions: RevokedSessions;
  live: LiveChannel;
  topics: LiveTopicRegistry;
  limits: OperationLimits & { maxBodyBytes: number };
  introspection: boolean;
  settings: SubscriptionSettings;
  metrics: SubscriptionMetrics;
  log: Logger;
}

export interface SubscriptionServer {
  /** Subscriptions currently attached to the live channel. */
  readonly openSubscriptions: number;
  /** Closes every connection (1001) and stops taking upgrades. */
  dispose(): Promise<void>;
}

interface LoadedSchema {
  schema: GraphQLSchema;
  topics: Map<string, ResolvedTopic>;
  rules: readonly ValidationRule[];
  documents: Map<string, DocumentNode | readonly GraphQLError[]>;
  plans: WeakMap<DocumentNode, Map<string, SubscriptionPlan | GraphQLError>>;
}

/** Parsed and validated documents, shared by subscribers sending the same text (the usual case). */
const DOCUMENT_CACHE_ENTRIES = 500;
const DOCUMENT_CACHE_MAX_CHARS = 10_000;

function withCode(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map((e) => {
    const { http: _http, ...extensions } = e.extensions as Record<string, unknown>;
    return new GraphQLError(e.message, { nodes: e.nodes ?? null, extensions: { ...extensions, code: extensions.code ?? code } });
  });
}

function errorResult(message: string, code: string): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code } })] };
}

/** graphql-ws serialises errors with toJSON; results from the gateway may carry plain objects. */
function asGraphQLErrors(errors: ReadonlyArray<unknown> | undefined): GraphQLError[] | undefined {
  if (!errors?.length) return undefined;
  return errors.map((e) => {
    if (e instanceof GraphQLError) return e;
    const { message, extensions, path } = (e ?? {}) as { message?: string; extensions?: Record<string, unknown>; path?: Array<string | number> };
    return new GraphQLError(message ?? "Unknown error", { ...(path ? { path } : {}), ...(extensions ? { extensions } : {}) });
  });
}

const noCache = {
  get: async () => undefined,
  set: async () => undefined,
  delete: async () => true,
};

/**
 * GraphQL subscriptions over graphql-ws, fed by the live channel. The gateway cannot execute
 * subscriptions, so this server executes them itself: on the message when it carries every selected
 * field, otherwise as the twin query through the gateway, under the subscriber's own credentials.
 */
export function attachSubscriptionServer(opts: SubscriptionServerOptions): SubscriptionServer {
  const log = opts.log.child({ component: "subscriptions" });
  const refetches = new Semaphore(opts.settings.maxConcurrentRefetches);
  const open = new Set<LiveSubscription>();
  let loaded: LoadedSchema | undefined;

  opts.gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    const topics = resolveTopics(apiSchema, opts.topics, log);
    loaded = {
      schema: apiSchema,
      topics,
      rules: [...specifiedRules, ...limitRules(opts.limits), ...(opts.introspection ? [] : [NoSchemaIntrospectionCustomRule])],
      documents: new Map(),
      plans: new WeakMap(),
    };
    log.info({ fields: [...topics.keys()] }, "subscription fields served");
  });

  function prepare(state: LoadedSchema, query: string): DocumentNode | readonly GraphQLError[] {
    const cached = state.documents.get(query);
    if (cached) return cached;
    let result: DocumentNode | readonly GraphQLError[];
    try {
      const document = parse(query);
      const errors = validate(state.schema, document, state.rules);
      result = errors.length ? withCode(errors, "GRAPHQL_VALIDATION_FAILED") : document;
    } catch (err) {
      result = withCode([err instanceof GraphQLError ? err : new GraphQLError(String(err))], "GRAPHQL_PARSE_FAILED");
    }
    if (query.length <= DOCUMENT_CACHE_MAX_CHARS) {
      if (state.documents.size >= DOCUMENT_CACHE_ENTRIES) state.documents.delete(state.documents.keys().next().value!);
      state.documents.set(query, result);
    }
    return result;
  }

  function planFor(state: LoadedSchema, document: DocumentNode, operation: OperationDefinitionNode): SubscriptionPlan | GraphQLError {
    let byName = state.plans.get(document);
    if (!byName) state.plans.set(document, (byName = new Map()));
    const key = operation.name?.value ?? "";
    let plan = byName.get(key);
    if (!plan) byName.set(key, (plan = planSubscription(state.schema, document, operation, state.topics)));
    return plan;
  }

  async function refetch(
    state: LoadedSchema,
    twin: TwinQuery,
    plan: SubscriptionPlan,
    variables: Record<string, unknown>,
    context: GatewayContext,
  ): Promise<ExecutionResult> {
    const requestContext = {
      logger: log,
      schema: state.schema,
      schemaHash: "",
      request: {
        query: twin.source,
        operationName: twin.operationName,
        variables,
        http: { method: "POST", url: opts.path, headers: new Headers(forwardedHeaders(context)) },
      },
      response: { http: { headers: new Headers() } },
      context,
      cache: noCache,
      queryHash: twin.queryHash,
      document: twin.document,
      source: twin.source,
      operationName: twin.operationName,
      operation: twin.operation,
      metrics: {},
      overallCachePolicy: undefined,
    } as unknown as GatewayRequestContext;
    const result = await refetches.run(() => opts.gateway.executor(requestContext));
    let data = result.data as Record<string, unknown> | null | undefined;
    const errors = asGraphQLErrors(result.errors);
    // The twin is nullable, the subscription field usually is not: null propagates like execution would.
    if (data && data[plan.responseKey] === null && isNonNullType(plan.topic.subscriptionField.type)) {
      data = null;
      if (!errors) return errorResult(`${plan.topic.twin?.name ?? "The twin query"} returned no value`, "NOT_FOUND");
    }
    return { ...(data !== undefined ? { data } : {}), ...(errors ? { errors } : {}) };
  }

  async function subscribe(args: ExecutionArgs): Promise<ExecutionResult | LiveSubscription> {
    const state = loaded;
    const context = args.contextValue as GatewayContext;
    if (!state) return errorResult("The gateway schema is not loaded yet", "SERVICE_UNAVAILABLE");
    if (context.principal.kind !== "player") return errorResult("Subscriptions are for players", "FORBIDDEN");
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return errorResult("Unable to identify operation", "BAD_USER_INPUT");
    const plan = planFor(state, args.document, operation);
    if (plan instanceof GraphQLError) return { errors: [plan] };
    const playerId = context.principal.playerId;
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const { topic, twin } = plan;

    const render = (message: { payload: unknown }): ExecutionResult | Promise<ExecutionResult> => {
      if (plan.coveredBy(message.payload, variables)) {
        return execute({
          schema: state.schema,
          document: args.document,
          operationName: args.operationName,
          variableValues: variables,
          contextValue: context,
          rootValue: { [topic.field]: message.payload },
        });
      }
      if (!twin) return errorResult(`The live message does not carry every selected field of ${topic.field}`, "BAD_USER_INPUT");
      opts.metrics.refetches.inc({ topic: topic.topic });
      // A fresh request id per refetch keeps subgraph logs of one subscription's events apart.
      const refetchContext: GatewayContext = { ...context, requestId: randomUUID() };
      return refetch(state, twin, plan, plan.twinVariables(playerId, message.payload, variables), refetchContext).catch((err: unknown) => {
        log.warn({ err, field: topic.field, requestId: refetchContext.requestId }, "subscription refetch failed");
        return errorResult("Could not load the subscription's fields", "INTERNAL_SERVER_ERROR");
      });
    };

    let sub: LiveSubscription | undefined;
    try {
      sub = await LiveSubscription.open({
        live: opts.live,
        playerId,
        topic: topic.topic,
        coalesce: topic.coalesce,
        maxQueued: opts.settings.maxQueuedMessages,
        render,
        metrics: opts.metrics,
        log,
        onClose: () => void (sub && open.delete(sub)),
      });
      if (!sub.closed) open.add(sub);
      return sub;
    } catch (err) {
      log.error({ err, field: topic.field }, "subscribing to the live channel failed");
      return errorResult("Live updates are unavailable right now", "SERVICE_UNAVAILABLE");
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.limits.maxBodyBytes });
  const onUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? "/", "http://gateway").pathname;
    if (pathname === opts.path) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
      return;
    }
    // Leave other paths to other upgrade handlers; when there are none, refuse rather than hang.
    if (opts.httpServer.listenerCount("upgrade") === 1) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
  };
  opts.httpServer.on("upgrade", onUpgrade);

  // Open connections by session, so a revocation closes exactly its own.
  const connectionsBySession = new Map<string, Set<WebSocket>>();
  const stopWatchingRevocations = opts.revokedSessions.onRevoked((sessionIds) => {
    // Walk the smaller side: one revocation against many connections, or a whole snapshot against few.
    const ended =
      sessionIds.size <= connectionsBySession.size ? [...sessionIds] : [...connectionsBySession.keys()].filter((id) => sessionIds.has(id));
    for (const sessionId of ended) {
      for (const socket of connectionsBySession.get(sessionId) ?? []) socket.close(CloseCode.Unauthorized, "Session ended");
    }
  });
  const forget = (sessionId: string, socket: WebSocket) => {
    const sockets = connectionsBySession.get(sessionId);
    if (!sockets) return;
    sockets.delete(socket);
    if (sockets.size === 0) connectionsBySession.delete(sessionId);
  };

  const reject = (socket: WebSocket, code: number, reason: string) => {
    socket.close(code, reason);
    // Returning false also makes graphql-ws close (with 4403); the first close code sent wins.
    return false;
  };

  const server = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const raw = params.authorization ?? params.Authorization;
        const header = typeof raw === "string" ? raw : undefined;
        if (!header) return reject(ctx.extra.socket, CloseCode.Unauthorized, "Unauthorized");
        let principal: Principal;
        try {
          principal = await opts.verifier.fromAuthorizationHeader(header);
        } catch {
          return reject(ctx.extra.socket, CloseCode.Unauthorized, "Unauthorized");
        }
        if (principal.kind !== "player") return reject(ctx.extra.socket, CloseCode.Forbidden, "Forbidden");
        if (!opts.revokedSessions.available) return reject(ctx.extra.socket, CLOSE_TRY_AGAIN_LATER, "Sign-in cannot be checked right now");
        if (opts.revokedSessions.isRevoked(principal.sessionId)) return reject(ctx.extra.socket, CloseCode.Unauthorized, "Session ended");
        // The connection outlives nothing it was not entitled to: it ends when the token expires.
        const exp = decodeJwt(header.trim().split(/\s+/)[1] ?? "").exp;
        const remaining = exp ? exp * 1000 - Date.now() : 0;
        ctx.extra.expiry = setTimeout(() => ctx.extra.socket.close(CloseCode.Unauthorized, "Token expired"), Math.max(0, Math.min(remaining, 2 ** 31 - 1)));
        ctx.extra.expiry.unref();
        ctx.extra.principal = principal;
        ctx.extra.authorization = header;
        let sockets = connectionsBySession.get(principal.sessionId);
        if (!sockets) connectionsBySession.set(principal.sessionId, (sockets = new Set()));
        sockets.add(ctx.extra.socket);
        return true;
      },
      onClose: (ctx) => {
        if (ctx.extra.expiry) clearTimeout(ctx.extra.expiry);
        if (ctx.extra.principal) forget(ctx.extra.principal.sessionId, ctx.extra.socket);
      },
      context: (ctx): GatewayContext => ({
        principal: ctx.extra.principal!,
        authorization: ctx.extra.authorization,
        requestId: randomUUID(),
      }),
      onSubscribe: (_ctx, _id, payload) => {
        const state = loaded;
        if (!state) return [new GraphQLError("The gateway schema is not loaded yet", { extensions: { code: "SERVICE_UNAVAILABLE" } })];
        const prepared = prepare(state, payload.query);
        if (Array.isArray(prepared)) return prepared as GraphQLError[];
        return {
          schema: state.schema,
          document: prepared as DocumentNode,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
        };
      },
      subscribe,
      // The API schema has no resolvers: queries and mutations belong on HTTP, through Apollo Server.
      execute: () => errorResult("Only subscriptions are served over WebSocket; send queries and mutations over HTTP POST", "BAD_REQUEST"),
    },
    wss,
  );

  return {
    get openSubscriptions() {
      return open.size;
    },
    async dispose() {
      opts.httpServer.off("upgrade", onUpgrade);
      stopWatchingRevocations();
      await server.dispose();
      // Clients normally answer the 1001 close at once; do not let one that does not hold up shutdown.
      const deadline = Date.now() + 2_000;
      while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const client of wss.clients) client.terminate();
    },
  };
}
