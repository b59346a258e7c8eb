import { ConfigError, pemSchema, readEnv, urlSchema, z } from "@casino/kernel/config";
import type { NuveiConfig } from "./psp/nuvei/adapter.ts";
import type { StripeConfig } from "./psp/stripe/adapter.ts";
import type { TrustlyConfig } from "./psp/trustly/adapter.ts";

/** A PSP is either configured (its real API, or a simulator somewhere else) or simulated in-process. */
export type PspSetting<C> = { mode: "configured"; config: C } | { mode: "simulated" } | { mode: "disabled" };

export interface PaymentsConfig {
  /** The wallet (credits deposits); unset only outside production. */
  walletUrl: string | undefined;
  /** Compliance (may this player deposit now?); unset only outside production. */
  complianceUrl: string | undefined;
  /** Where PSPs reach this service's notification endpoints; default its own URL. */
  publicUrl: string | undefined;
  pspTimeoutMs: number;
  /** Deposits that succeeded but could not be credited yet are retried this often. */
  creditSweepMs: number;
  /** In-process simulators: from a request to its first notification. */
  simulatorDelayMs: number;
  stripe: PspSetting<StripeConfig>;
  nuvei: PspSetting<NuveiConfig>;
  trustly: PspSetting<TrustlyConfig>;
}

const secret = (min: number) => z.string().min(min, `must be at least ${min} characters`);

/**
 * The payments service's own variables, validated at start; a bad value stops it naming the
 * variable. A PSP whose API URL is set needs all its credentials; without the URL it is simulated
 * in-process (development and tests), or disabled in production.
 */
export function loadPaymentsConfig(env: Record<string, string | undefined>): PaymentsConfig {
  const cfg = readEnv(
    {
      WALLET_URL: urlSchema(["http:", "https:"]).optional(),
      COMPLIANCE_URL: urlSchema(["http:", "https:"]).optional(),
      PAYMENTS_PUBLIC_URL: urlSchema(["http:", "https:"]).optional(),
      PSP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8_000),
      PAYMENTS_CREDIT_SWEEP_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
      PSP_SIMULATOR_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
      STRIPE_API_URL: urlSchema(["http:", "https:"]).optional(),
      STRIPE_API_KEY: secret(8).optional(),
      STRIPE_WEBHOOK_SECRETS: z
        .string()
        .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
        .refine((list) => list.length > 0 && list.every((s) => s.length >= 16), "must be one or more comma-separated secrets of 16+ characters")
        .optional(),
      STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
      NUVEI_API_URL: urlSchema(["http:", "https:"]).optional(),
      NUVEI_MERCHANT_ID: z.string().min(1).optional(),
      NUVEI_MERCHANT_SITE_ID: z.string().min(1).optional(),
      NUVEI_SECRET_KEY: secret(16).optional(),
      TRUSTLY_API_URL: urlSchema(["http:", "https:"]).optional(),
      TRUSTLY_USERNAME: z.string().min(1).optional(),
      TRUSTLY_PASSWORD: secret(8).optional(),
      TRUSTLY_MERCHANT_PRIVATE_KEY: pemSchema.optional(),
      TRUSTLY_PUBLIC_KEY: pemSchema.optional(),
      NODE_ENV: z.string().optional(),
    },
    env,
  );
  const production = cfg.NODE_ENV === "production";
  const problems: string[] = [];
  if (production) {
    for (const name of ["WALLET_URL", "COMPLIANCE_URL"] as const) {
      if (!cfg[name]) problems.push(`${name}=(unset): required when NODE_ENV=production (deposits need it)`);
    }
  }
  /** All of a PSP's credentials when its URL is set; none of them otherwise. */
  function psp<C>(url: string | undefined, urlName: string, required: Record<string, unknown>, build: () => C): PspSetting<C> {
    const missing = Object.entries(required).filter(([, v]) => v === undefined).map(([k]) => k);
    if (url === undefined) return production ? { mode: "disabled" } : { mode: "simulated" };
    if (missing.length > 0) {
      problems.push(...missing.map((name) => `${name}=(unset): required when ${urlName} is set`));
      return { mode: "disabled" };
    }
    return { mode: "configured", config: build() };
  }
  const timeoutMs = cfg.PSP_TIMEOUT_MS;
  const stripe = psp(cfg.STRIPE_API_URL, "STRIPE_API_URL", { STRIPE_API_KEY: cfg.STRIPE_API_KEY, STRIPE_WEBHOOK_SECRETS: cfg.STRIPE_WEBHOOK_SECRETS }, () => ({
    apiUrl: cfg.STRIPE_API_URL!,
    apiKey: cfg.STRIPE_API_KEY!,
    webhookSecrets: cfg.STRIPE_WEBHOOK_SECRETS!,
    toleranceSeconds: cfg.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    timeoutMs,
  }));
  const nuvei = psp(
    cfg.NUVEI_API_URL,
    "NUVEI_API_URL",
    { NUVEI_MERCHANT_ID: cfg.NUVEI_MERCHANT_ID, NUVEI_MERCHANT_SITE_ID: cfg.NUVEI_MERCHANT_SITE_ID, NUVEI_SECRET_KEY: cfg.NUVEI_SECRET_KEY },
    () => ({ apiUrl: cfg.NUVEI_API_URL!, merchantId: cfg.NUVEI_MERCHANT_ID!, merchantSiteId: cfg.NUVEI_MERCHANT_SITE_ID!, secretKey: cfg.NUVEI_SECRET_KEY!, timeoutMs }),
  );
  const trustly = psp(
    cfg.TRUSTLY_API_URL,
    "TRUSTLY_API_URL",
    { TRUSTLY_USERNAME: cfg.TRUSTLY_USERNAME, TRUSTLY_PASSWORD: cfg.TRUSTLY_PASSWORD, TRUSTLY_MERCHANT_PRIVATE_KEY: cfg.TRUSTLY_MERCHANT_PRIVATE_KEY, TRUSTLY_PUBLIC_KEY: cfg.TRUSTLY_PUBLIC_KEY },
    () => ({
      apiUrl: cfg.TRUSTLY_API_URL!,
      username: cfg.TRUSTLY_USERNAME!,
      password: cfg.TRUSTLY_PASSWORD!,
      merchantPrivateKey: cfg.TRUSTLY_MERCHANT_PRIVATE_KEY!,
      trustlyPublicKey: cfg.TRUSTLY_PUBLIC_KEY!,
      timeoutMs,
    }),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    walletUrl: cfg.WALLET_URL,
    complianceUrl: cfg.COMPLIANCE_URL,
    publicUrl: cfg.PAYMENTS_PUBLIC_URL,
    pspTimeoutMs: timeoutMs,
    creditSweepMs: cfg.PAYMENTS_CREDIT_SWEEP_MS,
    simulatorDelayMs: cfg.PSP_SIMULATOR_DELAY_MS,
    stripe,
    nuvei,
    trustly,
  };
}
