import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import type { StaffRole } from "../auth/principal.ts";
import { generateServiceTokenSecret } from "../auth/service-tokens.ts";
import { TokenIssuer, generateSigningKeyPair } from "../auth/tokens.ts";
import type { BaseContext } from "../graphql/subgraph.ts";
import { startService, type ServiceModule, type StartedService } from "../service.ts";

const keys = generateSigningKeyPair();
/** Shared by every service a test process starts, so they can call each other's internal APIs. */
export const TEST_SERVICE_TOKEN_SECRET = generateServiceTokenSecret();
const ISSUER = "casino-platform-test";

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown } }>;
}

export interface TestService<P extends { $disconnect(): Promise<void> }> extends StartedService<P> {
  /** POSTs a GraphQL operation straight to this subgraph. */
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<T>>;
  tokens: {
    player(playerId?: string): Promise<string>;
    staff(roles: StaffRole[], staffId?: string): Promise<string>;
  };
}

/**
 * Starts one subgraph for a test, on a free port, with its own database: an in-memory PGlite, or
 * a fresh PostgreSQL schema (dropped at stop) when DATABASE_URL is set — so every test file runs the
 * same way in both CI passes. Tokens are signed with a per-process test key.
 */
export async function startTestService<P extends { $disconnect(): Promise<void> }, Ctx extends BaseContext>(
  mod: ServiceModule<P, Ctx>,
  env: Record<string, string | undefined> = {},
): Promise<TestService<P>> {
  const schema = `t_${mod.service}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const databaseUrl = process.env.DATABASE_URL;
  const started = await startService(mod, {
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    DATA_DIR: "memory://",
    [`${mod.service.toUpperCase()}_PORT`]: "0",
    [`${mod.service.toUpperCase()}_DATABASE_SCHEMA`]: schema,
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_KEY_PREFIX: `test:${schema}:`,
    AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem,
    AUTH_JWT_PRIVATE_KEY: keys.privateKeyPem,
    AUTH_JWT_ISSUER: ISSUER,
    SERVICE_TOKEN_SECRET: TEST_SERVICE_TOKEN_SECRET,
    ...env,
  });
  const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, ISSUER, 900);
  return {
    ...started,
    async stop() {
      await started.stop();
      if (databaseUrl) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await client.end();
      }
      if (process.env.REDIS_URL) await deleteRedisKeys(process.env.REDIS_URL, `test:${schema}:`);
    },
    async graphql(query, variables, token) {
      const res = await fetch(started.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as object) };
    },
    tokens: {
      player: (playerId = randomUUID()) => issuer.issue({ sub: playerId, typ: "player", sid: randomUUID() }),
      staff: (roles, staffId = randomUUID()) => issuer.issue({ sub: staffId, typ: "staff", sid: randomUUID(), roles }),
    },
  };
}

export const testSigningKeys = { ...keys, issuer: ISSUER };

async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
