import {
  DEFAULT_PORTS,
  logLevelSchema,
  pemSchema,
  portSchema,
  readEnv,
  urlSchema,
  z,
  type ServiceName,
} from "@casino/kernel/config";

type Env = Record<string, string | undefined>;

export interface GatewayLimits {
  /** Deepest field nesting an operation may have. */
  maxDepth: number;
  /** Aliased fields per operation (fragments counted each time they are spread). */
  maxAliases: number;
  /** Each field costs 1; list fields multiply their selections by first/limit, or 10. */
  maxCost: number;
  /** Largest HTTP request body and WebSocket message, in bytes. */
  maxBodyBytes: number;
}

export interface SubscriptionSettings {
  /** Refetches through the gateway running at once, over all subscriptions. */
  maxConcurrentRefetches: number;
  /** Messages a non-coalescing subscription may fall behind before it is closed. */
  maxQueuedMessages: number;
}

export interface GatewayConfig {
  port: number;
  host?: string;
  /** Subgraph URLs by the names the supergraph gives them. */
  subgraphUrls: Record<ServiceName, string>;
  jwtPublicKey: string;
  jwtIssuer: string;
  redisUrl: string | undefined;
  redisKeyPrefix: string | undefined;
  logLevel: string;
  introspection: boolean;
  limits: GatewayLimits;
  subscriptions: SubscriptionSettings;
}

const positiveInt = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const subgraphUrl = (service: ServiceName) =>
  urlSchema(["http:", "https:"]).default(`http://localhost:${DEFAULT_PORTS[service]}/graphql`);

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const cfg = readEnv(
    {
      GATEWAY_PORT: portSchema.default(DEFAULT_PORTS.gateway),
      GATEWAY_HOST: z.string().min(1).optional(),
      PLAYER_URL: subgraphUrl("player"),
      WALLET_URL: subgraphUrl("wallet"),
      GAMES_URL: subgraphUrl("games"),
      PAYMENTS_URL: subgraphUrl("payments"),
      COMPLIANCE_URL: subgraphUrl("compliance"),
      REPORTING_URL: subgraphUrl("reporting"),
      AUTH_JWT_PUBLIC_KEY: pemSchema,
      AUTH_JWT_ISSUER: z.string().min(1).default("casino-platform"),
      REDIS_URL: urlSchema(["redis:", "rediss:"]).optional(),
      REDIS_KEY_PREFIX: z.string().optional(),
      LOG_LEVEL: logLevelSchema,
      NODE_ENV: z.string().optional(),
      GATEWAY_MAX_DEPTH: positiveInt(12),
      GATEWAY_MAX_ALIASES: positiveInt(30),
      GATEWAY_MAX_COST: positiveInt(5_000),
      GATEWAY_REFETCH_CONCURRENCY: positiveInt(32),
      GATEWAY_SUBSCRIPTION_QUEUE: positiveInt(100),
    },
    env,
  );
  const subgraphUrls: Record<ServiceName, string> = {
    player: cfg.PLAYER_URL,
    wallet: cfg.WALLET_URL,
    games: cfg.GAMES_URL,
    payments: cfg.PAYMENTS_URL,
    compliance: cfg.COMPLIANCE_URL,
    reporting: cfg.REPORTING_URL,
  };
  return {
    port: cfg.GATEWAY_PORT,
    ...(cfg.GATEWAY_HOST ? { host: cfg.GATEWAY_HOST } : {}),
    subgraphUrls,
    jwtPublicKey: cfg.AUTH_JWT_PUBLIC_KEY,
    jwtIssuer: cfg.AUTH_JWT_ISSUER,
    redisUrl: cfg.REDIS_URL,
    redisKeyPrefix: cfg.REDIS_KEY_PREFIX,
    logLevel: cfg.LOG_LEVEL,
    introspection: cfg.NODE_ENV !== "production",
    limits: {
      maxDepth: cfg.GATEWAY_MAX_DEPTH,
      maxAliases: cfg.GATEWAY_MAX_ALIASES,
      maxCost: cfg.GATEWAY_MAX_COST,
      maxBodyBytes: 1024 * 1024,
    },
    subscriptions: {
      maxConcurrentRefetches: cfg.GATEWAY_REFETCH_CONCURRENCY,
      maxQueuedMessages: cfg.GATEWAY_SUBSCRIPTION_QUEUE,
    },
  };
}
