import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "@casino/kernel/config";
import { createEventTransport, type EventTransport } from "@casino/kernel/events/index";
import { createLogger } from "@casino/kernel/logger";
import { loadGatewayConfig, type GatewayConfig } from "./config.ts";
import { startGateway, type RunningGateway } from "./gateway.ts";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SUPERGRAPH_PATH = path.join(REPO_ROOT, "schema", "supergraph.graphql");

function fail(message: string): never {
  process.stderr.write(`gateway: failed to start: ${message}\n`);
  process.exit(1);
}

let config: GatewayConfig;
try {
  config = loadGatewayConfig();
} catch (err) {
  fail(err instanceof ConfigError ? err.message : String(err));
}
const log = createLogger("gateway", config.logLevel);

let supergraphSdl: string;
try {
  supergraphSdl = fs.readFileSync(SUPERGRAPH_PATH, "utf8");
} catch (err) {
  fail(`cannot read ${SUPERGRAPH_PATH} (run \`npm run compose\`): ${err instanceof Error ? err.message : String(err)}`);
}

let transport: EventTransport | undefined;
let gateway: RunningGateway;
try {
  transport = createEventTransport({ redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, log });
  if (transport.mode === "memory") {
    log.warn("no REDIS_URL and not started by the supervisor: no player service can reach this gateway's session revocations, so it refuses authenticated requests");
  }
  gateway = await startGateway({ supergraphSdl, config, live: transport.live, revocations: transport.revocations, log });
} catch (err) {
  await transport?.close().catch(() => undefined);
  fail(err instanceof Error ? err.message : String(err));
}
log.info({ url: gateway.url, ws: gateway.wsUrl, live: transport.mode }, `gateway listening on ${gateway.url}`);

let stopping = false;
const stop = (reason: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, "gateway stopping");
  // Connections first (their subscriptions leave the live channel), then the channel itself.
  void gateway
    .stop()
    .then(() => transport?.close())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "gateway did not stop cleanly");
        process.exit(1);
      },
    );
};
process.once("SIGINT", () => stop("SIGINT"));
process.once("SIGTERM", () => stop("SIGTERM"));
// Forked by the supervisor: a lost parent must not leave an orphan holding the port.
process.once("disconnect", () => stop("disconnect"));
