import { ConfigError, readEnv, urlSchema, z } from "@casino/kernel/config";
import type { NuveiConfig } from "./psp/nuvei/adapter.ts";
import type { StripeConfig } from "./psp/stripe/adapter.ts";
import type { TrustlyConfig } from "./psp/trustly/adapter.ts";
import { DEFAULT_ROUTES, parseRoutes, type RouteRule } from "./routing.ts";

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
  /** The rules an empty routing table is seeded with: PAYMENTS_ROUTES, or the defaults. */
  routes: readonly RouteRule[];
  routesFromEnv: boolean;
  /** Consecutive failures that open a PSP's circuit, and how long it stays open. */
  breakerFailures: number;
  breakerOpenMs: number;
  /** AML: withdrawals from this many minor units wait for staff, per currency (all of a currency not listed). */
  withdrawalHoldFromMinor: Readonly<Record<string, bigint>>;
  stripe: PspSetting<StripeConfig>;
  nuvei: PspSetting<NuveiConfig>;
  trustly: PspSetting<TrustlyConfig>;
}

/** Withdrawals from 2,000.00 (GBP, EUR, USD) wait for staff (AML review); operators set their own figures. */
const DEFAULT_WITHDRAWAL_HOLDS: Readonly<Record<string, bigint>> = { GBP: 200_000n, EUR: 200_000n, USD: 200_000n };

/**
 * Secrets are read as plain strings and checked here, because a refused value would otherwise be
 * printed in the start-up error: the message names the variable and the rule, never the value.
 */
const SECRET_RULES: Record<string, { check: (v: string) => boolean; rule: string }> = {
  STRIPE_API_KEY: { check: (v) => v.length >= 8, rule: "must be at least 8 characters" },
  STRIPE_WEBHOOK_SECRETS: {
    check: (v) => v.split(",").every((s) => s.trim().length >= 16),
    rule: "must be one or more comma-separated secrets of 16+ characters",
  },
  NUVEI_SECRET_KEY: { check: (v) => v.length >= 16, rule: "must be at least 16 characters" },
  TRUSTLY_PASSWORD: { check: (v) => v.length >= 8, rule: "must be at least 8 characters" },
  TRUSTLY_MERCHANT_PRIVATE_KEY: { check: (v) => v.includes("-----BEGIN"), rule: "must be a PEM-encoded key" },
  TRUSTLY_PUBLIC_KEY: { check: (v) => v.includes("-----BEGIN"), rule: "must be a PEM-encoded key" },
};
const pem = (v: string | undefined) => v?.replace(/\\n/g, "\n");

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
      PAYMENTS_ROUTES: z
        .string()
        .transform((value, ctx) => {
          try {
            return parseRoutes(value);
          } catch (err) {
            ctx.addIssue({ code: "custom", message: (err as Error).message });
            return z.NEVER;
          }
        })
        .optional(),
      PAYMENTS_WITHDRAWAL_HOLDS: z
        .string()
        .transform((value, ctx) => {
          try {
            const parsed = z.record(z.string().regex(/^[A-Z]{3}$/), z.string().regex(/^\d{1,18}$/)).parse(JSON.parse(value));
            return Object.fromEntries(Object.entries(parsed).map(([currency, minor]) => [currency, BigInt(minor)]));
          } catch {
            ctx.addIssue({ code: "custom", message: 'must be a JSON object of currency to minor units, e.g. {"GBP":"200000"}' });
            return z.NEVER;
          }
        })
        .optional(),
      PSP_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1_000).default(3),
      PSP_BREAKER_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
      STRIPE_API_URL: urlSchema(["http:", "https:"]).optional(),
      STRIPE_API_KEY: z.string().optional(),
      STRIPE_WEBHOOK_SECRETS: z.string().optional(),
      STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
      NUVEI_API_URL: urlSchema(["http:", "https:"]).optional(),
      NUVEI_MERCHANT_ID: z.string().min(1).optional(),
      NUVEI_MERCHANT_SITE_ID: z.string().min(1).optional(),
      NUVEI_SECRET_KEY: z.string().optional(),
      TRUSTLY_API_URL: urlSchema(["http:", "https:"]).optional(),
      TRUSTLY_USERNAME: z.string().min(1).optional(),
      TRUSTLY_PASSWORD: z.string().optional(),
      TRUSTLY_MERCHANT_PRIVATE_KEY: z.string().optional(),
      TRUSTLY_PUBLIC_KEY: z.string().optional(),
      NODE_ENV: z.string().optional(),
    },
    env,
  );
  const production = cfg.NODE_ENV === "production";
  const problems: string[] = [];
  for (const [name, { check, rule }] of Object.entries(SECRET_RULES)) {
    const value = cfg[name as keyof typeof cfg] as string | undefined;
    if (value !== undefined && !check(value)) problems.push(`${name}=(hidden): ${rule}`);
  }
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
    webhookSecrets: cfg.STRIPE_WEBHOOK_SECRETS!.split(",").map((v) => v.trim()),
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
      merchantPrivateKey: pem(cfg.TRUSTLY_MERCHANT_PRIVATE_KEY)!,
      trustlyPublicKey: pem(cfg.TRUSTLY_PUBLIC_KEY)!,
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
    routes: cfg.PAYMENTS_ROUTES ?? DEFAULT_ROUTES,
    routesFromEnv: cfg.PAYMENTS_ROUTES !== undefined,
    breakerFailures: cfg.PSP_BREAKER_FAILURES,
    breakerOpenMs: cfg.PSP_BREAKER_OPEN_MS,
    withdrawalHoldFromMinor: cfg.PAYMENTS_WITHDRAWAL_HOLDS ?? DEFAULT_WITHDRAWAL_HOLDS,
    stripe,
    nuvei,
    trustly,
  };
}
