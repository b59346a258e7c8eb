import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { composeServices } from "@apollo/composition";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import { buildSubgraphSchema } from "@apollo/subgraph";
import type { GraphQLResolverMap } from "@apollo/subgraph/dist/schema-helper/index.js";
import express from "express";
import { createClient, type Client, type ExecutionResult } from "graphql-ws";
import { parse } from "graphql";
import { WebSocket } from "ws";
import type { StaffRole } from "@casino/kernel/auth/principal";
import { InProcessRevocationFeed } from "@casino/kernel/auth/revocations";
import { TokenIssuer, generateSigningKeyPair } from "@casino/kernel/auth/tokens";
import type { LiveChannel, LiveListener, LiveMessage } from "@casino/kernel/events/types";
import { loadGatewayConfig } from "../../src/config.ts";
import { startGateway, type GatewayOptions, type RunningGateway } from "../../src/gateway.ts";

process.env.APOLLO_TELEMETRY_DISABLED = "1";

export const keys = generateSigningKeyPair();
export const ISSUER = "casino-gateway-test";
const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, ISSUER, 900);
const expiredIssuer = await TokenIssuer.fromPem(keys.privateKeyPem, ISSUER, -60);
const strangerKeys = generateSigningKeyPair();
const strangerIssuer = await TokenIssuer.fromPem(strangerKeys.privateKeyPem, ISSUER, 900);

export const tokens = {
  player: (playerId: string) => issuer.issue({ sub: playerId, typ: "player", sid: randomUUID() }),
  /** A player's token of a given session, as the player service issues one per login and refresh. */
  playerSession: (playerId: string, sessionId: string) => issuer.issue({ sub: playerId, typ: "player", sid: sessionId }),
  staff: (roles: StaffRole[] = ["support"]) => issuer.issue({ sub: randomUUID(), typ: "staff", sid: randomUUID(), roles }),
  expiredPlayer: (playerId: string) => expiredIssuer.issue({ sub: playerId, typ: "player", sid: randomUUID() }),
  shortLivedPlayer: async (playerId: string, seconds: number) =>
    (await TokenIssuer.fromPem(keys.privateKeyPem, ISSUER, seconds)).issue({ sub: playerId, typ: "player", sid: randomUUID() }),
  /** Well-formed, but signed with a key the gateway does not trust. */
  forgedPlayer: (playerId: string) => strangerIssuer.issue({ sub: playerId, typ: "player", sid: randomUUID() }),
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** What a test subgraph saw of one request. */
export interface SeenRequest {
  authorization: string | undefined;
  requestId: string | undefined;
  operation: string;
}

export interface TestSubgraph {
  name: string;
  url: string;
  typeDefs: string;
  seen: SeenRequest[];
  stop(): Promise<void>;
}

export async function startSubgraph(
  name: string,
  typeDefs: string,
  resolvers: (seen: SeenRequest[]) => GraphQLResolverMap<{ seen: SeenRequest }>,
): Promise<TestSubgraph> {
  const seen: SeenRequest[] = [];
  const schema = buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers: resolvers(seen) as GraphQLResolverMap<unknown> });
  const apollo = new ApolloServer<{ seen: SeenRequest }>({ schema, stopOnTerminationSignals: false, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  await apollo.start();
  const app = express();
  app.use(
    "/graphql",
    express.json(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const request: SeenRequest = {
          authorization: req.headers.authorization,
          requestId: req.headers["x-request-id"] as string | undefined,
          operation: String((req.body as { query?: string }).query ?? ""),
        };
        seen.push(request);
        return { seen: request };
      },
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    typeDefs,
    seen,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}

export function compose(subgraphs: TestSubgraph[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.typeDefs) })));
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join("; ")}`);
  return result.supergraphSdl;
}

export async function startTestGateway(
  subgraphs: TestSubgraph[],
  live: LiveChannel,
  env: Record<string, string> = {},
  extra: Partial<GatewayOptions> = {},
): Promise<RunningGateway> {
  const urls = Object.fromEntries(subgraphs.map((s) => [`${s.name.toUpperCase()}_URL`, s.url]));
  const config = loadGatewayConfig({
    GATEWAY_PORT: "0",
    GATEWAY_HOST: "127.0.0.1",
    AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem,
    AUTH_JWT_ISSUER: ISSUER,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    ...urls,
    ...env,
  });
  return startGateway({ supergraphSdl: compose(subgraphs), config, live, revocations: extra.revocations ?? (await seededRevocationFeed()), ...extra });
}

/** An in-process revocation feed that the player service would have seeded (with nothing revoked). */
export async function seededRevocationFeed(): Promise<InProcessRevocationFeed> {
  const feed = new InProcessRevocationFeed();
  await feed.seed([]);
  return feed;
}

export interface HttpResult {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as HttpResult["body"]) : {} };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * A LiveChannel that counts its listeners and can deliver a message to a player's listeners whatever
 * the message says (to prove the gateway re-checks the player itself).
 */
export class TestLiveChannel implements LiveChannel {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  listenerCount(playerId?: string): number {
    if (playerId !== undefined) return this.listeners.get(playerId)?.size ?? 0;
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  async publish(message: LiveMessage): Promise<void> {
    this.deliverTo(message.playerId, message);
  }

  /** Synchronous publish, so a burst lands before the subscriber can take a single message. */
  publishNow(message: LiveMessage): void {
    this.deliverTo(message.playerId, message);
  }

  deliverTo(channelPlayerId: string, message: LiveMessage): void {
    for (const listener of [...(this.listeners.get(channelPlayerId) ?? [])]) listener(JSON.parse(JSON.stringify(message)) as LiveMessage);
  }

  async subscribe(playerId: string, listener: LiveListener): Promise<() => Promise<void>> {
    const own: LiveListener = (m) => listener(m);
    let set = this.listeners.get(playerId);
    if (!set) this.listeners.set(playerId, (set = new Set()));
    set.add(own);
    return async () => {
      set.delete(own);
      if (set.size === 0 && this.listeners.get(playerId) === set) this.listeners.delete(playerId);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

export function balanceMessage(playerId: string, version: number, amount = `${version}.00`, currency = "GBP"): LiveMessage {
  return {
    topic: "balanceChanged",
    playerId,
    eventId: randomUUID(),
    payload: { playerId, version, balance: { amount, currency }, balances: [{ amount, currency }] },
  };
}

export function wsClient(url: string, connectionParams: Record<string, unknown> | undefined): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(connectionParams ? { connectionParams } : {}),
  });
}

/** Connects (by subscribing) and resolves with the close code the server chose. */
export function closeCodeFor(url: string, connectionParams: Record<string, unknown> | undefined): Promise<number> {
  const client = wsClient(url, connectionParams);
  return new Promise<number>((resolve, reject) => {
    client.subscribe(
      { query: "subscription { balanceChanged { version } }" },
      {
        next: () => reject(new Error("the connection was accepted")),
        error: (event) => resolve((event as { code: number }).code),
        complete: () => reject(new Error("the connection was accepted")),
      },
    );
  }).finally(() => client.dispose());
}

export interface Collected {
  results: ExecutionResult[];
  errors: unknown[];
  completed: boolean;
  unsubscribe(): void;
}

export function collect(client: Client, query: string, variables?: Record<string, unknown>): Collected {
  const collected: Collected = {
    results: [],
    errors: [],
    completed: false,
    unsubscribe: () => undefined,
  };
  collected.unsubscribe = client.subscribe(
    { query, ...(variables ? { variables } : {}) },
    {
      next: (r) => void collected.results.push(r as ExecutionResult),
      error: (e) => void collected.errors.push(e),
      complete: () => void (collected.completed = true),
    },
  );
  return collected;
}
