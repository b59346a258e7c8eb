import { readEnv, z } from "@casino/kernel/config";

/** The RGS layer's own variables (WALLET_URL and COMPLIANCE_URL are the games service's, see ../config.ts). */
export interface RgsConfig {
  /** How long one request owns the transaction ids it works on before another may recover them. */
  leaseMs: number;
  /** How long a retry waits for the request already working on the same ids before answering "try again". */
  busyWaitMs: number;
  /** Provider configuration and catalogue entries are cached this long. */
  cacheMs: number;
}

export function loadRgsConfig(env: Record<string, string | undefined>): RgsConfig {
  const cfg = readEnv(
    {
      RGS_LEASE_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
      RGS_BUSY_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(3_000),
      RGS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
    },
    env,
  );
  return { leaseMs: cfg.RGS_LEASE_MS, busyWaitMs: cfg.RGS_BUSY_WAIT_MS, cacheMs: cfg.RGS_CACHE_MS };
}
