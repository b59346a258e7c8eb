import { readEnv, z } from "@casino/kernel/config";

/** The RGS layer's own variables (WALLET_URL and COMPLIANCE_URL are the games service's, see ../config.ts). */
export interface RgsConfig {
  /** How long one request owns the transaction ids it works on before another may recover them. */
  leaseMs: number;
  /** How long a retry waits for the request already working on the same ids before answering "try again". */
  busyWaitMs: number;
  /** Provider configuration and catalogue entries are cached this long. */
  cacheMs: number;
  /** Group commit of the callbacks' claims and answers (store.ts): statements in flight, and writes per statement. */
  writeInFlight: number;
  writeBatch: number;
}

export function loadRgsConfig(env: Record<string, string | undefined>): RgsConfig {
  const cfg = readEnv(
    {
      RGS_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
      RGS_BUSY_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(3_000),
      RGS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
      RGS_WRITE_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(2),
      RGS_WRITE_BATCH: z.coerce.number().int().min(1).max(256).default(32),
    },
    env,
  );
  return {
    leaseMs: cfg.RGS_LEASE_MS,
    busyWaitMs: cfg.RGS_BUSY_WAIT_MS,
    cacheMs: cfg.RGS_CACHE_MS,
    writeInFlight: cfg.RGS_WRITE_IN_FLIGHT,
    writeBatch: cfg.RGS_WRITE_BATCH,
  };
}
