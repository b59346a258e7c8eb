/**
 * `npm start`: the whole platform on one machine. Six subgraphs and the gateway as child processes,
 * embedded (PGlite under DATA_DIR, events through this process) unless DATABASE_URL / REDIS_URL say
 * otherwise. Ctrl-C stops everything cleanly.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startPlatform, type Platform } from "@casino/kernel/supervisor";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const supergraph = path.join(root, "schema", "supergraph.graphql");
const EMBEDDED_TARGET_MS = 20_000;

const out = (line = "") => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

if (!fs.existsSync(supergraph) || fs.statSync(supergraph).size === 0) {
  err(`start: ${path.relative(process.cwd(), supergraph)} is missing; compose it with \`npm run compose\`.`);
  process.exit(1);
}

/** Shows where the database is without the credentials in its URL. */
function describeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

function banner(p: Platform): void {
  const seconds = (p.startupMs / 1000).toFixed(1);
  const storage = p.mode === "embedded" ? `PGlite under ${p.dataDir}` : `PostgreSQL at ${describeUrl(process.env.DATABASE_URL ?? "")}`;
  const events = p.events === "ipc" ? "in-process hub (this supervisor)" : `Redis at ${describeUrl(process.env.REDIS_URL ?? "")}`;
  out();
  out(`  Casino platform ready in ${seconds} s`);
  out();
  out(`  GraphQL        ${p.gatewayUrl}`);
  out(`  Subscriptions  ${p.wsUrl}  (graphql-ws)`);
  out(`  Mode           ${p.mode}: ${storage}; events through ${events}`);
  out(`  Data dir       ${p.dataDir}`);
  if (p.admin) {
    const password = p.admin.passwordFile ? `${p.admin.password}  (kept in ${p.admin.passwordFile})` : "(from ADMIN_PASSWORD)";
    out(`  Admin          ${p.admin.email}`);
    out(`  Password       ${password}`);
  }
  if (p.keys.source !== "env") out(`  Signing keys   development pair in ${p.keys.dir}`);
  if (p.mode === "embedded" && p.startupMs > EMBEDDED_TARGET_MS) {
    out(`  Note           start-up took longer than the ${EMBEDDED_TARGET_MS / 1000} s target`);
  }
  out();
  out("  Ctrl-C stops the platform.");
  out();
}

const startup = new AbortController();
let platform: Platform | undefined;
let signalled: NodeJS.Signals | undefined;

function onSignal(signal: NodeJS.Signals): void {
  // npm forwards the terminal's SIGINT as well, so repeats are expected; the supervisor escalates
  // to SIGKILL on its own when a child does not stop in time.
  if (signalled) return;
  signalled = signal;
  err(`\nstart: ${signal} received, stopping the platform...`);
  if (platform) void platform.stop();
  else startup.abort();
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

try {
  platform = await startPlatform({ env: process.env, signal: startup.signal });
} catch (e) {
  if (signalled) {
    err("start: stopped before the platform was ready.");
    process.exit(0);
  }
  const message = e instanceof Error ? e.message : String(e);
  err(`start: the platform did not start.\n${message}`);
  process.exit(1);
}

banner(platform);
const exit = await platform.exited;
if (exit.code !== 0) err(`start: ${exit.reason}`);
else err("start: platform stopped.");
process.exit(exit.code);
