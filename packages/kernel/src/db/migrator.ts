/**
 * The project's own migrator: Prisma 7 cannot apply migrations offline, so each service applies
 * the plain SQL files of `prisma/<service>/migrations/<timestamp>_<name>/migration.sql` itself at
 * start, on PGlite and on PostgreSQL alike.
 *
 * Guarantees:
 * - migrations run in lexical order of their folder names, each exactly once;
 * - each one runs in its own transaction together with the row that records it, so a failing
 *   migration leaves neither tables nor a record behind, and the ones before it stay applied;
 * - an applied migration whose file has changed, a recorded migration whose folder is gone, and a
 *   new migration that sorts before an applied one are errors: the database and the files no
 *   longer tell the same story, and guessing would be worse than stopping;
 * - concurrent starts of the same service (several replicas, or a test and a dev server) queue on
 *   an advisory lock keyed by the schema, taken in every migration transaction before anything is
 *   read, so one applies and the others see its record.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SqlExecutor } from "./sql.ts";

export const MIGRATIONS_TABLE = "_migrations";

export interface MigrationFile {
  /** Folder name, e.g. `20261124080000_init`; the primary key of the record. */
  readonly name: string;
  readonly file: string;
  readonly sql: string;
  /** sha256 of the file's bytes, hex. */
  readonly checksum: string;
}

export interface MigrateResult {
  /** Applied by this call, in order. */
  applied: string[];
  /** Found applied already (by an earlier start or by a concurrent one). */
  alreadyApplied: string[];
}

export interface MigrateOptions {
  log?: (msg: string) => void;
}

interface MigrationRecord {
  name: string;
  checksum: string;
}

/**
 * Reads the migration folders of `dir`, sorted by name. Loose files (Prisma's
 * `migration_lock.toml`, a README) are ignored; a folder without `migration.sql` is an error,
 * because skipping it would silently reorder what follows it.
 */
export function listMigrations(dir: string): MigrationFile[] {
  if (!fs.existsSync(dir)) throw new Error(`migrations folder ${dir} does not exist`);
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    // Plain code-unit order, not localeCompare: the order must not depend on the machine's locale.
    .sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return names.map((name) => {
    const file = path.join(dir, name, "migration.sql");
    if (!fs.existsSync(file)) throw new Error(`migration ${name} has no migration.sql (${file})`);
    const bytes = fs.readFileSync(file);
    return { name, file, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
  });
}

/**
 * The advisory-lock key of one schema's migrations: the first 8 bytes of a sha256, as a signed
 * bigint. Services sharing one PostgreSQL database each have their own schema and so their own
 * key, and do not wait for each other.
 */
export function migrationLockKey(schema: string): bigint {
  return createHash("sha256").update(`casino-migrator:${schema}`).digest().readBigInt64BE(0);
}

/** Applies the pending migrations of `migrationsDir` to the current schema of `sql`. */
export async function migrate(sql: SqlExecutor, migrationsDir: string, opts: MigrateOptions = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => undefined);
  const files = listMigrations(migrationsDir);
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  const seen = new Set<string>();

  // One transaction per migration. Each takes the lock and re-reads the records before deciding,
  // so a concurrent migrator that got there first is noticed rather than raced.
  for (;;) {
    const step = await sql.transaction(async (tx) => {
      const table = await lockSchema(tx);
      const records = await readRecords(tx, table);
      const pending = checkConsistency(files, records, migrationsDir);
      for (const record of records) {
        if (!seen.has(record.name)) {
          seen.add(record.name);
          result.alreadyApplied.push(record.name);
        }
      }
      const next = pending[0];
      if (!next) return undefined;
      const started = performance.now();
      try {
        await tx.exec(next.sql);
      } catch (err) {
        throw new Error(`migration ${next.name} failed, nothing of it was applied: ${(err as Error).message}`, { cause: err });
      }
      await tx.query(`INSERT INTO ${table.qualified} (name, checksum) VALUES ($1, $2)`, [next.name, next.checksum]);
      return { name: next.name, ms: performance.now() - started };
    });
    if (!step) break;
    seen.add(step.name);
    result.applied.push(step.name);
    log(`applied migration ${step.name} in ${step.ms.toFixed(0)} ms`);
  }
  // Records made by a concurrent migrator while this one waited show up in a later read; keep the
  // answer in migration order either way.
  result.alreadyApplied.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  if (result.applied.length === 0) log(`database schema up to date (${files.length} migrations)`);
  return result;
}

interface RecordsTable {
  schema: string;
  /** Schema-qualified, so that a `_migrations` in a later search_path schema is never used. */
  qualified: string;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function lockSchema(tx: SqlExecutor): Promise<RecordsTable> {
  const [row] = await tx.query<{ schema: string | null }>(`SELECT current_schema() AS schema`);
  const schema = row?.schema;
  if (!schema) throw new Error("cannot migrate: the search_path names no existing schema");
  await tx.query(`SELECT pg_advisory_xact_lock($1::bigint)`, [migrationLockKey(schema).toString()]);
  return { schema, qualified: `${quoteIdent(schema)}.${quoteIdent(MIGRATIONS_TABLE)}` };
}

async function readRecords(tx: SqlExecutor, table: RecordsTable): Promise<MigrationRecord[]> {
  // Looked up rather than CREATE TABLE IF NOT EXISTS, which raises a NOTICE on every start.
  // Under the lock, so two first starts cannot both create it.
  const exists = await tx.query(`SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2`, [
    table.schema,
    MIGRATIONS_TABLE,
  ]);
  if (exists.length === 0) {
    await tx.exec(
      `CREATE TABLE ${table.qualified} (
         name text PRIMARY KEY,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    return [];
  }
  return tx.query<MigrationRecord>(`SELECT name, checksum FROM ${table.qualified} ORDER BY name COLLATE "C"`);
}

/** Returns the migrations still to apply, in order, or throws if files and records disagree. */
function checkConsistency(files: MigrationFile[], records: MigrationRecord[], dir: string): MigrationFile[] {
  const byName = new Map(files.map((f) => [f.name, f]));
  const problems: string[] = [];
  for (const record of records) {
    const file = byName.get(record.name);
    if (!file) {
      problems.push(`migration ${record.name} is recorded as applied but ${path.join(dir, record.name, "migration.sql")} does not exist`);
    } else if (file.checksum !== record.checksum) {
      problems.push(
        `migration ${record.name} was changed after it was applied (checksum ${record.checksum} recorded, ` +
          `${file.checksum} on disk); add a new migration instead of editing an applied one`,
      );
    }
  }
  const appliedNames = new Set(records.map((r) => r.name));
  const pending = files.filter((f) => !appliedNames.has(f.name));
  const lastApplied = records.at(-1)?.name;
  for (const file of pending) {
    if (lastApplied !== undefined && file.name < lastApplied) {
      problems.push(
        `migration ${file.name} is not applied but sorts before the applied ${lastApplied}; ` +
          `give it a later timestamp so that every database applies migrations in the same order`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`cannot migrate ${dir}:\n- ${problems.join("\n- ")}`);
  return pending;
}
