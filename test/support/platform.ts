import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startPlatform } from "@casino/kernel/supervisor";

export const ADMIN = { email: "admin@e2e.test", password: "e2e-admin-password" };

export interface TestPlatform {
  gatewayUrl: string;
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the whole platform (six subgraphs and the gateway as child processes) the way `npm start`
 * does: embedded by default; against PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, in
 * schemas and key prefixes of its own that are removed afterwards.
 */
export async function startTestPlatform(extraEnv: Record<string, string> = {}): Promise<TestPlatform> {
  const runId = randomUUID().replaceAll("-", "").slice(0, 10);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "casino-e2e-"));
  const schemaPrefix = `e2e_${runId}_`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "warn",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    DATABASE_SCHEMA_PREFIX: schemaPrefix,
    REDIS_KEY_PREFIX: `e2e:${runId}:`,
    APOLLO_TELEMETRY_DISABLED: "1",
    ...extraEnv,
  };
  const platform = await startPlatform({ env, dataDir, basePort: "auto", quiet: true });
  return {
    gatewayUrl: platform.gatewayUrl,
    urls: platform.urls,
    async stop() {
      await platform.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (process.env.DATABASE_URL) {
        const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await client.connect();
        const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE $1`, [`${schemaPrefix}%`]);
        for (const { nspname } of rows) await client.query(`DROP SCHEMA "${nspname}" CASCADE`);
        await client.end();
      }
    },
  };
}
