import path from "node:path";
import { z } from "zod";

export const SERVICES = ["player", "wallet", "games", "payments", "compliance", "reporting"] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName | "gateway", number> = {
  gateway: 4000,
  player: 4001,
  wallet: 4002,
  games: 4003,
  payments: 4004,
  compliance: 4005,
  reporting: 4006,
};

/** Thrown when the environment is invalid; the message names every offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const SECRET_NAME = /SECRET|PASSWORD|PRIVATE|TOKEN|API_KEY|_KEY$/;

/**
 * A value as a configuration error may show it: never a secret (start-up errors end up in logs),
 * and a URL without the password it may carry.
 */
export function shownValue(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return "(hidden)";
  try {
    const parsed = new URL(value);
    if (parsed.password) {
      parsed.password = "***";
      return JSON.stringify(parsed.toString());
    }
  } catch {
    // not a URL: shown as it is
  }
  return JSON.stringify(value);
}

/** Reads environment variables through a zod object whose keys are the variable names. */
export function readEnv<S extends z.ZodRawShape>(shape: S, env: Env = process.env): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === "" ? undefined : value;
  }
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join(".");
        const shown = input[name] === undefined ? "(unset)" : shownValue(name, input[name]);
        return `${name}=${shown}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}

// 0 asks the OS for a free port (tests).
const port = z.coerce.number().int().min(0).max(65535);
const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL (${protocols.join(" or ")})`);
const pem = z
  .string()
  .transform((v) => v.replace(/\\n/g, "\n"))
  .refine((v) => v.includes("-----BEGIN"), "must be a PEM-encoded key");
const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

export interface ServiceConfig {
  service: ServiceName;
  port: number;
  mode: "embedded" | "real";
  dataDir: string;
  databaseUrl: string | undefined;
  databaseSchema: string;
  redisUrl: string | undefined;
  logLevel: string;
  jwtPublicKey: string;
  jwtIssuer: string;
  /** Only set for the service that issues tokens (player). */
  jwtPrivateKey: string | undefined;
  /** Shared by the subgraphs (never the gateway) to sign and verify service-to-service tokens. */
  serviceTokenSecret: string;
}

const upper = (s: string) => s.toUpperCase();

/**
 * Configuration of one subgraph. Per-service variables (WALLET_DATABASE_URL, WALLET_PORT) win over the
 * shared ones (DATABASE_URL). Without DATABASE_URL the service runs embedded on PGlite under DATA_DIR.
 */
export function loadServiceConfig(service: ServiceName, env: Env = process.env): ServiceConfig {
  const S = upper(service);
  const pick = (name: string) => env[`${S}_${name}`] || env[name];
  const merged: Env = {
    PORT: env[`${S}_PORT`] ?? String(DEFAULT_PORTS[service]),
    DATABASE_URL: pick("DATABASE_URL"),
    REDIS_URL: pick("REDIS_URL"),
    DATA_DIR: env.DATA_DIR ?? ".data",
    DATABASE_SCHEMA: env[`${S}_DATABASE_SCHEMA`] ?? `${env.DATABASE_SCHEMA_PREFIX ?? ""}${service}`,
    LOG_LEVEL: env.LOG_LEVEL,
    AUTH_JWT_PUBLIC_KEY: env.AUTH_JWT_PUBLIC_KEY,
    AUTH_JWT_PRIVATE_KEY: env.AUTH_JWT_PRIVATE_KEY,
    AUTH_JWT_ISSUER: env.AUTH_JWT_ISSUER,
    SERVICE_TOKEN_SECRET: env.SERVICE_TOKEN_SECRET,
  };
  const cfg = readEnv(
    {
      PORT: port,
      DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
      REDIS_URL: url(["redis:", "rediss:"]).optional(),
      DATA_DIR: z.string().min(1),
      DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lower-case SQL identifier"),
      LOG_LEVEL: logLevel,
      AUTH_JWT_PUBLIC_KEY: pem,
      AUTH_JWT_PRIVATE_KEY: service === "player" ? pem : pem.optional(),
      AUTH_JWT_ISSUER: z.string().min(1).default("casino-platform"),
      SERVICE_TOKEN_SECRET: z.string().min(32, "must be at least 32 characters of random text"),
    },
    merged,
  );
  return {
    service,
    port: cfg.PORT,
    mode: cfg.DATABASE_URL ? "real" : "embedded",
    dataDir: cfg.DATA_DIR === "memory://" ? cfg.DATA_DIR : path.resolve(cfg.DATA_DIR),
    databaseUrl: cfg.DATABASE_URL,
    databaseSchema: cfg.DATABASE_SCHEMA,
    redisUrl: cfg.REDIS_URL,
    logLevel: cfg.LOG_LEVEL,
    jwtPublicKey: cfg.AUTH_JWT_PUBLIC_KEY,
    jwtIssuer: cfg.AUTH_JWT_ISSUER,
    jwtPrivateKey: service === "player" ? cfg.AUTH_JWT_PRIVATE_KEY : undefined,
    serviceTokenSecret: cfg.SERVICE_TOKEN_SECRET,
  };
}

export { z, port as portSchema, url as urlSchema, pem as pemSchema, logLevel as logLevelSchema };
