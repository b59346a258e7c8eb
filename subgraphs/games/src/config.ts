import { ConfigError, readEnv, urlSchema, z } from "@casino/kernel/config";
import { MAX_BATCH_COMMANDS } from "@casino/wallet-client/protocol";

export interface GamesConfig {
  /** The wallet (money for REAL rounds and RGS callbacks); unset only outside production. */
  walletUrl: string | undefined;
  /** Compliance (may this player play / stake now?); unset only outside production. */
  complianceUrl: string | undefined;
  /** How long a launch token is valid for new bets. */
  sessionTtlSeconds: number;
  /**
   * Where our own game client starts a proprietary game; placeholders {game} {session} {mode}.
   * A relative URL is resolved by the operator's front end, which hosts the game client.
   */
  proprietaryLaunchUrl: string;
  /** Play money a DEMO session starts with (minor units of the player's currency). */
  demoBalanceMinor: bigint;
  /** A round still OPEN this long after it opened is resolved by the recovery sweep. */
  recoverAfterSeconds: number;
  recoveryPollMs: number;
  /**
   * How long a round's opening transaction may wait for compliance's answer before it is rolled
   * back and the round waits for the answer without holding a database connection (PostgreSQL).
   */
  holdForComplianceMs: number;
  /** Seed the demo catalogue at start; undefined: only for `npm start` in embedded mode. */
  seedDemo: boolean | undefined;
  /**
   * Batching of the wallet client's commands (WalletClient option `batch`): requests to the
   * wallet's transaction endpoints in flight at once, and commands per request at most. Undefined
   * (GAMES_WALLET_BATCH_IN_FLIGHT=0 or GAMES_WALLET_BATCH_MAX=1): every command is its own request.
   */
  walletBatch: { maxInFlight: number; maxBatch: number } | undefined;
}

/** The games service's own variables, validated at start; a bad value stops it naming the variable. */
export function loadGamesConfig(env: Record<string, string | undefined>): GamesConfig {
  const cfg = readEnv(
    {
      WALLET_URL: urlSchema(["http:", "https:"]).optional(),
      COMPLIANCE_URL: urlSchema(["http:", "https:"]).optional(),
      GAMES_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(4 * 3_600),
      GAMES_PROPRIETARY_LAUNCH_URL: z
        .string()
        .min(1)
        .refine((v) => v.includes("{session}"), "must contain {session}")
        .default("/play/{game}?session={session}&mode={mode}"),
      GAMES_DEMO_BALANCE_MINOR: z.string().regex(/^\d{1,15}$/, "must be an integer number of minor units").default("100000"),
      GAMES_RECOVER_AFTER_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
      GAMES_RECOVERY_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
      GAMES_HOLD_FOR_COMPLIANCE_MS: z.coerce.number().int().min(0).max(1_000).default(50),
      GAMES_SEED_DEMO: z.enum(["true", "false"]).optional(),
      GAMES_WALLET_BATCH_IN_FLIGHT: z.coerce.number().int().min(0).max(64).default(4),
      GAMES_WALLET_BATCH_MAX: z.coerce.number().int().min(1).max(MAX_BATCH_COMMANDS).default(32),
      NODE_ENV: z.string().optional(),
    },
    env,
  );
  const missing = (["WALLET_URL", "COMPLIANCE_URL"] as const).filter((name) => !cfg[name]);
  if (cfg.NODE_ENV === "production" && missing.length > 0) {
    throw new ConfigError(missing.map((name) => `${name}=(unset): required when NODE_ENV=production (game launches and rounds need it)`));
  }
  return {
    walletUrl: cfg.WALLET_URL,
    complianceUrl: cfg.COMPLIANCE_URL,
    sessionTtlSeconds: cfg.GAMES_SESSION_TTL_SECONDS,
    proprietaryLaunchUrl: cfg.GAMES_PROPRIETARY_LAUNCH_URL,
    demoBalanceMinor: BigInt(cfg.GAMES_DEMO_BALANCE_MINOR),
    recoverAfterSeconds: cfg.GAMES_RECOVER_AFTER_SECONDS,
    recoveryPollMs: cfg.GAMES_RECOVERY_POLL_MS,
    holdForComplianceMs: cfg.GAMES_HOLD_FOR_COMPLIANCE_MS,
    seedDemo: cfg.GAMES_SEED_DEMO === undefined ? undefined : cfg.GAMES_SEED_DEMO === "true",
    walletBatch:
      cfg.GAMES_WALLET_BATCH_IN_FLIGHT > 0 && cfg.GAMES_WALLET_BATCH_MAX > 1
        ? { maxInFlight: cfg.GAMES_WALLET_BATCH_IN_FLIGHT, maxBatch: cfg.GAMES_WALLET_BATCH_MAX }
        : undefined,
  };
}
