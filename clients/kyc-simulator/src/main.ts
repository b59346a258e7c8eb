/**
 * The KYC simulator as its own process: `npm start --workspace @casino/kyc-simulator`.
 * Point the player service at it with KYC_PROVIDER_URL and the same KYC_CALLBACK_SECRET.
 */
import { readEnv, z } from "@casino/kernel/config";
import { createLogger } from "@casino/kernel/logger";
import { KycSimulator } from "./simulator.ts";

const readConfig = () =>
  readEnv({
    KYC_SIMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    KYC_SIMULATOR_SECRET: z.string().min(32, "must be at least 32 characters (the player service's KYC_CALLBACK_SECRET)"),
    KYC_SIMULATOR_DELAY_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
    KYC_SIMULATOR_MAX_ATTEMPTS: z.coerce.number().int().min(0).default(0),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  });
let env: ReturnType<typeof readConfig>;
try {
  env = readConfig();
} catch (err) {
  process.stderr.write(`kyc-simulator: ${(err as Error).message}\n`);
  process.exit(1);
}
const log = createLogger("kyc-simulator", env.LOG_LEVEL);
const simulator = new KycSimulator({
  secret: env.KYC_SIMULATOR_SECRET,
  callbackDelayMs: env.KYC_SIMULATOR_DELAY_MS,
  maxAttempts: env.KYC_SIMULATOR_MAX_ATTEMPTS,
  log: (message, fields) => log.info(fields, message),
});
const url = await simulator.listen(env.KYC_SIMULATOR_PORT);
log.info({ url }, "KYC simulator listening");
const stop = () => void simulator.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
