import { ConfigError, readEnv, urlSchema, z } from "@casino/kernel/config";

export interface KycConfig {
  /** Unset: the simulator runs inside this process (embedded default). */
  providerUrl: string | undefined;
  /** Shared with the provider to sign callbacks; generated per process for the in-process simulator. */
  callbackSecret: string | undefined;
  /** Where the provider POSTs results; default this service's own URL. */
  callbackUrl: string | undefined;
  callbackToleranceSeconds: number;
  simulatorDelayMs: number;
}

export interface PlayerConfig {
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  accessTokenTtlSeconds: number;
  kyc: KycConfig;
  /** Compliance, for the GAMSTOP screening at registration; unset only outside production. */
  complianceUrl: string | undefined;
  /**
   * The key identity-document numbers are digested with (HMAC-SHA256). Unset outside production:
   * generated for this process only (the supervisor always passes a stored one).
   */
  documentNumberKey: string | undefined;
}

/** The player service's own variables, validated at start; a bad value stops it naming the variable. */
export function loadPlayerConfig(env: Record<string, string | undefined>): PlayerConfig {
  const cfg = readEnv(
    {
      ADMIN_EMAIL: z.string().optional(),
      ADMIN_PASSWORD: z.string().min(10, "must be at least 10 characters").optional(),
      ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
      KYC_PROVIDER_URL: urlSchema(["http:", "https:"]).optional(),
      KYC_CALLBACK_SECRET: z.string().min(32, "must be at least 32 characters of random text").optional(),
      KYC_CALLBACK_URL: urlSchema(["http:", "https:"]).optional(),
      KYC_CALLBACK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(3_600).default(300),
      KYC_SIMULATOR_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(2_000),
      COMPLIANCE_URL: urlSchema(["http:", "https:"]).optional(),
      DOCUMENT_NUMBER_KEY: z.string().min(32, "must be at least 32 characters of random text").optional(),
      NODE_ENV: z.string().optional(),
    },
    env,
  );
  if (!cfg.COMPLIANCE_URL && cfg.NODE_ENV === "production") {
    throw new ConfigError(["COMPLIANCE_URL=(unset): required when NODE_ENV=production (registrations are screened against GAMSTOP through compliance)"]);
  }
  if (!cfg.DOCUMENT_NUMBER_KEY && cfg.NODE_ENV === "production") {
    throw new ConfigError(["DOCUMENT_NUMBER_KEY=(unset): required when NODE_ENV=production (identity-document numbers are kept as a digest under it)"]);
  }
  if (cfg.KYC_PROVIDER_URL && !cfg.KYC_CALLBACK_SECRET) {
    throw new ConfigError(["KYC_CALLBACK_SECRET=(unset): required when KYC_PROVIDER_URL is set (the provider signs its callbacks with it)"]);
  }
  if (!cfg.KYC_PROVIDER_URL && cfg.NODE_ENV === "production") {
    throw new ConfigError(["KYC_PROVIDER_URL=(unset): required when NODE_ENV=production; the in-process KYC simulator is for development"]);
  }
  return {
    complianceUrl: cfg.COMPLIANCE_URL,
    documentNumberKey: cfg.DOCUMENT_NUMBER_KEY,
    adminEmail: cfg.ADMIN_EMAIL,
    adminPassword: cfg.ADMIN_PASSWORD,
    accessTokenTtlSeconds: cfg.ACCESS_TOKEN_TTL_SECONDS,
    kyc: {
      providerUrl: cfg.KYC_PROVIDER_URL,
      callbackSecret: cfg.KYC_CALLBACK_SECRET,
      callbackUrl: cfg.KYC_CALLBACK_URL,
      callbackToleranceSeconds: cfg.KYC_CALLBACK_TOLERANCE_SECONDS,
      simulatorDelayMs: cfg.KYC_SIMULATOR_DELAY_MS,
    },
  };
}
