/**
 * The RGS integration layer of the games service: seamless-wallet callbacks from game providers and
 * aggregators (Hub88, SoftSwiss-style), normalised into one game-transaction model and served by one
 * GameTransactionService. Mount with mountRgs(runtime.http, deps) in the service's setup.
 */
import type { SqlExecutor } from "@casino/kernel/db/sql";
import type { Logger } from "@casino/kernel/logger";
import type { RunningHttpServer } from "@casino/kernel/http/server";
import type { AnyRgsAdapter } from "./adapter.ts";
import { mountRgsRoutes } from "./http.ts";
import type { ComplianceGate, WalletPort } from "./ports.ts";
import { RgsProviders } from "./providers.ts";
import { ADAPTERS } from "./registry.ts";
import { GameTransactionService } from "./service.ts";
import { RgsStore } from "./store.ts";

export interface RgsDeps {
  /** The games database (raw executor: one statement per step). */
  sql: SqlExecutor;
  wallet: WalletPort;
  compliance: ComplianceGate;
  log: Logger;
  /** Judges launch sessions' expiry (the games service's clock); default the system clock. */
  now?: () => Date;
  /** Resolves {"env": "NAME"} secret references in provider credentials. */
  env: Record<string, string | undefined>;
  adapters?: readonly AnyRgsAdapter[];
  leaseMs?: number;
  busyWaitMs?: number;
  /** Provider configuration and catalogue entries are cached this long. */
  cacheMs?: number;
  /** Group commit of claims and answers (RgsStoreOptions); PGlite always has one statement in flight. */
  writeInFlight?: number;
  writeBatch?: number;
}

export interface MountedRgs {
  service: GameTransactionService;
  providers: RgsProviders;
}

export function mountRgs(http: Pick<RunningHttpServer, "app" | "routePrefix">, deps: RgsDeps): MountedRgs {
  const store = new RgsStore(deps.sql, {
    ...(deps.writeInFlight !== undefined && deps.sql.dialect === "postgres" ? { maxInFlight: deps.writeInFlight } : {}),
    ...(deps.writeBatch !== undefined ? { maxBatch: deps.writeBatch } : {}),
  });
  const service = new GameTransactionService({
    store,
    wallet: deps.wallet,
    compliance: deps.compliance,
    log: deps.log,
    ...(deps.now !== undefined ? { now: deps.now } : {}),
    ...(deps.leaseMs !== undefined ? { leaseMs: deps.leaseMs } : {}),
    ...(deps.busyWaitMs !== undefined ? { busyWaitMs: deps.busyWaitMs } : {}),
    ...(deps.cacheMs !== undefined ? { gameCacheMs: deps.cacheMs } : {}),
  });
  const providers = new RgsProviders(store, deps.adapters ?? ADAPTERS, deps.env, deps.log, deps.cacheMs);
  mountRgsRoutes(http, providers, service, deps.log);
  return { service, providers };
}

export { loadRgsConfig, type RgsConfig } from "./config.ts";
export type { ComplianceGate, WalletPort } from "./ports.ts";
