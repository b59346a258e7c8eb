import path from "node:path";
import { fileURLToPath } from "node:url";
import type { SessionRevocationFeed } from "./auth/revocations.ts";
import { TokenVerifier } from "./auth/tokens.ts";
import { loadServiceConfig, type ServiceConfig, type ServiceName } from "./config.ts";
import { openDatabase, type Database, type PrismaAdapterFactory } from "./db/database.ts";
import { migrate } from "./db/migrator.ts";
import { pgliteTemplatePath } from "./db/pglite-template.ts";
import { createEventTransport, startOutboxRelay } from "./events/index.ts";
import type { EventBus, LiveChannel } from "./events/types.ts";
import { mountSubgraph, type BaseContext, type SubgraphDefinition } from "./graphql/subgraph.ts";
import { createMetrics, type Metrics } from "./http/metrics.ts";
import { createHttpServer, type RunningHttpServer } from "./http/server.ts";
import { createLogger, type Logger } from "./logger.ts";

/** Repository root, for locating prisma/<service>/migrations from any workspace. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

interface PrismaLike {
  $disconnect(): Promise<void>;
}

/** Everything a service's code receives at start: one of each, shared by all requests. */
export interface ServiceRuntime<P extends PrismaLike> {
  config: ServiceConfig;
  /** The environment the service was started with (service-specific settings are read from it). */
  env: Record<string, string | undefined>;
  log: Logger;
  metrics: Metrics;
  db: Database;
  prisma: P;
  bus: EventBus;
  live: LiveChannel;
  /** Revoked sessions, which the player service publishes for the gateways. */
  revocations: SessionRevocationFeed;
  verifier: TokenVerifier;
  http: RunningHttpServer;
  /** Asks the outbox relay to publish now; call after committing a transaction that wrote events. */
  publishOutbox(): void;
  /** Registers work to undo at shutdown (in reverse order). */
  onShutdown(fn: () => Promise<void>): void;
}

export interface ServiceModule<P extends PrismaLike, Ctx extends BaseContext> {
  service: ServiceName;
  createPrisma(adapter: PrismaAdapterFactory): P;
  /** Builds the subgraph (and mounts REST callbacks on runtime.http.app when the service has any). */
  setup(runtime: ServiceRuntime<P>): Promise<SubgraphDefinition<Ctx>>;
}

export interface StartedService<P extends PrismaLike> {
  runtime: ServiceRuntime<P>;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts one subgraph process: validated config, database (PGlite or PostgreSQL), migrations,
 * event transport and outbox relay, GraphQL at /graphql, health and metrics. Same path in both modes.
 */
export async function startService<P extends PrismaLike, Ctx extends BaseContext>(
  mod: ServiceModule<P, Ctx>,
  env: Record<string, string | undefined> = process.env,
): Promise<StartedService<P>> {
  const config = loadServiceConfig(mod.service, env);
  const log = createLogger(mod.service, config.logLevel);
  const metrics = createMetrics(mod.service);
  const shutdown: Array<() => Promise<void>> = [];

  const db = await openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: config.dataDir === "memory://" ? "memory://" : path.join(config.dataDir, mod.service),
    templateFile: config.dataDir === "memory://" ? undefined : pgliteTemplatePath(config.dataDir),
  });
  shutdown.push(() => db.close());
  const migrations = await migrate(db.sql, path.join(REPO_ROOT, "prisma", mod.service, "migrations"), {
    log: (msg) => log.info(msg),
  });
  log.info({ applied: migrations.applied.length, mode: config.mode }, "database ready");

  const prisma = mod.createPrisma(db.prismaAdapter);
  shutdown.push(() => prisma.$disconnect());

  const transport = await createEventTransport({ redisUrl: config.redisUrl, keyPrefix: env.REDIS_KEY_PREFIX, log });
  shutdown.push(() => transport.close());
  const relay = startOutboxRelay({ service: mod.service, sql: db.sql, bus: transport.bus, live: transport.live, log });
  shutdown.push(() => relay.stop());

  const verifier = await TokenVerifier.fromPem(config.jwtPublicKey, config.jwtIssuer);
  const http = createHttpServer({
    service: mod.service,
    port: config.port,
    log,
    metrics,
    readiness: [async () => void (await db.sql.query("SELECT 1"))],
  });

  const runtime: ServiceRuntime<P> = {
    config,
    env,
    log,
    metrics,
    db,
    prisma,
    bus: transport.bus,
    live: transport.live,
    revocations: transport.revocations,
    verifier,
    http,
    publishOutbox: () => relay.kick(),
    onShutdown: (fn) => void shutdown.push(fn),
  };
  const definition = await mod.setup(runtime);
  const apollo = await mountSubgraph(http, definition, { verifier, log, metrics });
  await http.listen();
  log.info({ url: `${http.url}/graphql` }, "subgraph listening");

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await http.close();
      await apollo.stop();
      for (const fn of shutdown.reverse()) {
        await fn().catch((err: unknown) => log.warn({ err }, "shutdown step failed"));
      }
    })());
  return { runtime, url: `${http.url}/graphql`, stop };
}

/** Entry point helper for `src/main.ts`: start, and stop cleanly on SIGINT/SIGTERM. */
export async function runServiceMain<P extends PrismaLike, Ctx extends BaseContext>(mod: ServiceModule<P, Ctx>): Promise<void> {
  let started: StartedService<P>;
  try {
    started = await startService(mod);
  } catch (err) {
    process.stderr.write(`${mod.service}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const onSignal = () => {
    void started.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("disconnect", onSignal);
}
