/**
 * Generates one service's Prisma 7 client into subgraphs/<service>/src/generated/prisma.
 *
 * `prisma generate` does not need the native schema engine, but the CLI insists on downloading it
 * first. On a machine where that download cannot happen (no internet, as in CI here) we point
 * PRISMA_SCHEMA_ENGINE_BINARY at an existing executable, which makes the CLI skip the download.
 * A machine with internet access and no override behaves as usual.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const service = process.argv[2];
if (!service || !fs.existsSync(path.join(root, "prisma", service, "schema.prisma"))) {
  process.stderr.write(`usage: prisma-generate <service>; no prisma/${service}/schema.prisma\n`);
  process.exit(2);
}

const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const enginesDir = path.join(root, "node_modules", "@prisma", "engines");
  const hasEngine = fs.existsSync(enginesDir) && fs.readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
  if (!hasEngine) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}

const result = spawnSync(
  process.execPath,
  [path.join(root, "node_modules", "prisma", "build", "index.js"), "generate", "--schema", path.join(root, "prisma", service, "schema.prisma")],
  { cwd: root, env, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" },
);
if (result.status !== 0) {
  process.stdout.write(result.stdout ?? "");
  process.exit(result.status ?? 1);
}
process.stdout.write(`prisma client generated for ${service}\n`);
