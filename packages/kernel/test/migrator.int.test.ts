import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { openDatabase, type Database } from "../src/db/database.ts";
import { listMigrations, migrate, migrationLockKey } from "../src/db/migrator.ts";
import type { SqlExecutor } from "../src/db/sql.ts";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const A = "20260101000000_create_t";
const B = "20260102000000_add_b";
const C = "20260103000000_add_c";
const SQL: Record<string, string> = {
  [A]: `CREATE TABLE t (id integer PRIMARY KEY);`,
  [B]: `ALTER TABLE t ADD COLUMN b text;`,
  [C]: `ALTER TABLE t ADD COLUMN c integer NOT NULL DEFAULT 0;\nCREATE INDEX t_c_idx ON t (c);`,
};

let tmpDirs: string[] = [];

function migrationsDir(migrations: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migrator-test-"));
  tmpDirs.push(dir);
  writeMigrations(dir, migrations);
  return dir;
}

function writeMigrations(dir: string, migrations: Record<string, string>): void {
  for (const [name, sql] of Object.entries(migrations)) {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function records(sql: SqlExecutor): Promise<{ name: string; checksum: string; applied_at: Date }[]> {
  return sql.query(`SELECT name, checksum, applied_at FROM _migrations ORDER BY name`);
}

async function columnsOf(sql: SqlExecutor, table: string): Promise<string[]> {
  const rows = await sql.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((r) => r.column_name);
}

async function tableExists(sql: SqlExecutor, table: string): Promise<boolean> {
  const rows = await sql.query(`SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`, [table]);
  return rows.length === 1;
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

const freshSchemaName = () => `migrator_test_${randomBytes(6).toString("hex")}`;

async function dropSchemas(names: string[]): Promise<void> {
  await withAdmin(async (admin) => {
    for (const name of names) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  });
}

afterEach(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
  tmpDirs = [];
});

let sharedPglite: Promise<Database> | undefined;

afterAll(async () => {
  await (await sharedPglite)?.close();
});

interface Backend {
  name: string;
  open(): Promise<{ db: Database; cleanup(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    // One instance, a fresh schema per test: starting a PGlite takes a second or more.
    name: "PGlite in memory",
    async open() {
      sharedPglite ??= openDatabase({ schema: "public", dataDir: "memory://" });
      const db = await sharedPglite;
      const schema = freshSchemaName();
      await db.sql.exec(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
      return { db, cleanup: () => db.sql.exec(`SET search_path TO public; DROP SCHEMA ${schema} CASCADE`) };
    },
  },
  {
    name: "PostgreSQL in a fresh schema",
    async open() {
      const schema = freshSchemaName();
      const db = await openDatabase({ url: PG_URL, schema, dataDir: "unused" });
      return {
        db,
        async cleanup() {
          await db.close();
          await dropSchemas([schema]);
        },
      };
    },
  },
];

describe.each(backends)("migrate on $name", (backend) => {
  let db: Database;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ db, cleanup } = await backend.open());
  });

  afterEach(async () => {
    await cleanup();
  });

  it("applies migrations in lexical order of folder name and records their checksums", async () => {
    // Written out of order, with the loose file Prisma keeps next to the folders.
    const dir = migrationsDir({ [C]: SQL[C]!, [A]: SQL[A]!, [B]: SQL[B]! });
    fs.writeFileSync(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
    const logged: string[] = [];

    const result = await migrate(db.sql, dir, { log: (msg) => logged.push(msg) });

    expect(result).toEqual({ applied: [A, B, C], alreadyApplied: [] });
    // B before C: the columns were added in that order.
    expect(await columnsOf(db.sql, "t")).toEqual(["id", "b", "c"]);
    const rows = await records(db.sql);
    expect(rows.map((r) => [r.name, r.checksum])).toEqual([A, B, C].map((name) => [name, sha256(SQL[name]!)]));
    for (const row of rows) expect(row.applied_at).toBeInstanceOf(Date);
    expect(logged.filter((m) => m.startsWith("applied migration"))).toHaveLength(3);
  });

  it("applies nothing on a second run", async () => {
    const dir = migrationsDir({ [A]: SQL[A]!, [B]: SQL[B]! });
    await migrate(db.sql, dir);

    const again = await migrate(db.sql, dir);

    expect(again).toEqual({ applied: [], alreadyApplied: [A, B] });
    expect(await records(db.sql)).toHaveLength(2);
  });

  it("applies only the migration added since the last run", async () => {
    const dir = migrationsDir({ [A]: SQL[A]!, [B]: SQL[B]! });
    await migrate(db.sql, dir);
    writeMigrations(dir, { [C]: SQL[C]! });

    const result = await migrate(db.sql, dir);

    expect(result).toEqual({ applied: [C], alreadyApplied: [A, B] });
    expect(await columnsOf(db.sql, "t")).toEqual(["id", "b", "c"]);
  });

  it("refuses an applied migration whose file changed, naming it, and applies nothing more", async () => {
    const dir = migrationsDir({ [A]: SQL[A]!, [B]: SQL[B]! });
    await migrate(db.sql, dir);
    writeMigrations(dir, { [B]: `ALTER TABLE t ADD COLUMN b varchar(10);`, [C]: SQL[C]! });

    await expect(migrate(db.sql, dir)).rejects.toThrow(`migration ${B} was changed after it was applied`);

    expect((await records(db.sql)).map((r) => r.name)).toEqual([A, B]);
    expect(await columnsOf(db.sql, "t")).toEqual(["id", "b"]);
  });

  it("refuses a recorded migration that no longer exists on disk, naming it", async () => {
    const dir = migrationsDir({ [A]: SQL[A]!, [B]: SQL[B]! });
    await migrate(db.sql, dir);
    fs.rmSync(path.join(dir, B), { recursive: true });

    await expect(migrate(db.sql, dir)).rejects.toThrow(
      `migration ${B} is recorded as applied but ${path.join(dir, B, "migration.sql")} does not exist`,
    );
  });

  it("refuses a new migration that sorts before an applied one", async () => {
    const dir = migrationsDir({ [A]: SQL[A]!, [C]: SQL[C]! });
    await migrate(db.sql, dir);
    writeMigrations(dir, { [B]: SQL[B]! });

    await expect(migrate(db.sql, dir)).rejects.toThrow(`migration ${B} is not applied but sorts before the applied ${C}`);
    expect(await columnsOf(db.sql, "t")).toEqual(["id", "c"]);
  });

  it("rolls a failing migration back entirely and keeps the ones before it", async () => {
    const failing = [
      `CREATE TABLE partial (id integer);`,
      `ALTER TABLE t ADD COLUMN b text;`,
      `INSERT INTO t (id) VALUES (1);`,
      `INSERT INTO no_such_table VALUES (1);`,
    ].join("\n");
    const dir = migrationsDir({ [A]: SQL[A]!, [B]: failing, [C]: SQL[C]! });

    await expect(migrate(db.sql, dir)).rejects.toThrow(new RegExp(`migration ${B} failed, nothing of it was applied: .*no_such_table`));

    expect((await records(db.sql)).map((r) => r.name)).toEqual([A]);
    expect(await tableExists(db.sql, "partial")).toBe(false);
    expect(await columnsOf(db.sql, "t")).toEqual(["id"]);
    expect(await db.sql.query(`SELECT * FROM t`)).toEqual([]);

    // Never recorded, so the corrected file is simply applied next time.
    writeMigrations(dir, { [B]: SQL[B]! });
    expect(await migrate(db.sql, dir)).toEqual({ applied: [B, C], alreadyApplied: [A] });
  });

  it("handles an empty migrations folder", async () => {
    const dir = migrationsDir({});

    expect(await migrate(db.sql, dir)).toEqual({ applied: [], alreadyApplied: [] });
    expect(await records(db.sql)).toEqual([]);
  });

  it("refuses a migrations folder that does not exist", async () => {
    const missing = path.join(os.tmpdir(), `no-such-migrations-${randomBytes(6).toString("hex")}`);

    await expect(migrate(db.sql, missing)).rejects.toThrow(`migrations folder ${missing} does not exist`);
  });
});

describe("listMigrations", () => {
  it("lists migration folders in lexical order with their checksums and ignores loose files", () => {
    const dir = migrationsDir({ [B]: SQL[B]!, [A]: SQL[A]! });
    fs.writeFileSync(path.join(dir, "migration_lock.toml"), "");

    const list = listMigrations(dir);

    expect(list.map((m) => [m.name, m.checksum, m.sql])).toEqual([
      [A, sha256(SQL[A]!), SQL[A]],
      [B, sha256(SQL[B]!), SQL[B]],
    ]);
  });

  it("refuses a folder without migration.sql", () => {
    const dir = migrationsDir({ [A]: SQL[A]! });
    fs.mkdirSync(path.join(dir, B));

    expect(() => listMigrations(dir)).toThrow(`migration ${B} has no migration.sql`);
  });
});

describe("migrate on PostgreSQL with concurrent migrators", () => {
  const schemas: string[] = [];
  const opened: Database[] = [];

  async function open(schema: string): Promise<Database> {
    const db = await openDatabase({ url: PG_URL, schema, dataDir: "unused" });
    opened.push(db);
    return db;
  }

  afterAll(async () => {
    await Promise.allSettled(opened.map((db) => db.close()));
    await dropSchemas(schemas);
  });

  it("applies each migration exactly once when several processes migrate at the same time", async () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    // Plain CREATE TABLE fails if run twice; the sleep widens the window in which a second
    // migrator would apply the same file if the lock did not hold.
    const names = Array.from({ length: 6 }, (_, i) => `2026010${i + 1}000000_step_${i + 1}`);
    const dir = migrationsDir(
      Object.fromEntries(names.map((name, i) => [name, `SELECT pg_sleep(0.05);\nCREATE TABLE step_${i + 1} (id integer);`])),
    );
    // Separate pools, as separate processes would have.
    const dbs = await Promise.all([open(schema), open(schema), open(schema)]);

    const results = await Promise.all(dbs.map((db) => migrate(db.sql, dir)));

    const applied = results.flatMap((r) => r.applied);
    expect([...applied].sort()).toEqual(names);
    for (const result of results) expect([...result.applied, ...result.alreadyApplied].sort()).toEqual(names);
    const rows = await dbs[0]!.sql.query<{ name: string }>(`SELECT name FROM _migrations ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(names);
  });

  it("locks per schema: a migrator waits only for another one on the same schema", async () => {
    const [schemaA, schemaB] = [freshSchemaName(), freshSchemaName()];
    schemas.push(schemaA, schemaB);
    const dir = migrationsDir({ [A]: SQL[A]! });
    const [dbA, dbB] = await Promise.all([open(schemaA), open(schemaB)]);

    await withAdmin(async (admin) => {
      // Plays a migrator of schema A that is in the middle of its work.
      await admin.query("BEGIN");
      await admin.query("SELECT pg_advisory_xact_lock($1::bigint)", [migrationLockKey(schemaA).toString()]);
      let settledA = false;
      const migratingA = migrate(dbA.sql, dir).finally(() => {
        settledA = true;
      });

      expect(await migrate(dbB.sql, dir)).toEqual({ applied: [A], alreadyApplied: [] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settledA).toBe(false);

      await admin.query("COMMIT");
      expect(await migratingA).toEqual({ applied: [A], alreadyApplied: [] });
    });
  });
});
