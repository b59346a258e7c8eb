import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { openDatabase, type Database } from "../src/db/database.ts";
import { migrate } from "../src/db/migrator.ts";
import { draftSchemaSql } from "../src/db/prisma-sql.ts";
import { assertNoDrift, compareCatalogs } from "../src/db/schema-drift.ts";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** A repository root in miniature: prisma/shop/schema.prisma and prisma/shop/migrations. */
const FIXTURE_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "drift");
const SERVICE = "shop";
const FIXTURE_DIR = path.join(FIXTURE_ROOT, "prisma", SERVICE);
const INIT = "20260101000000_init";
const LOOKUP = "20260102000000_order_lookup";

let tmpDirs: string[] = [];

afterEach(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
  tmpDirs = [];
});

/** The fixture repository copied to a temporary folder, with `edit` applied to its migrations. */
function mutatedRoot(edit: (migrations: Map<string, string>) => void): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "drift-test-"));
  tmpDirs.push(root);
  fs.cpSync(FIXTURE_ROOT, root, { recursive: true });
  const dir = path.join(root, "prisma", SERVICE, "migrations");
  const migrations = new Map(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8")]));
  edit(migrations);
  for (const [name, sql] of migrations) fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
  return root;
}

/** Replaces exactly one occurrence, so that a fixture change cannot silently stop applying. */
function replaceIn(migrations: Map<string, string>, name: string, from: string, to: string): void {
  const sql = migrations.get(name) ?? "";
  const at = sql.indexOf(from);
  if (at === -1 || sql.indexOf(from, at + 1) !== -1) throw new Error(`expected exactly one "${from}" in ${name}`);
  migrations.set(name, sql.slice(0, at) + to + sql.slice(at + from.length));
}

describe("assertNoDrift", () => {
  it("passes when the migrations build what schema.prisma describes, CHECKs and triggers aside", async () => {
    await expect(assertNoDrift(SERVICE, FIXTURE_ROOT)).resolves.toBeUndefined();
  });

  it("fails listing the differences when a migration lacks a column", async () => {
    const root = mutatedRoot((m) => replaceIn(m, INIT, `    "name" TEXT,\n`, ""));

    await expect(assertNoDrift(SERVICE, root)).rejects.toThrow(
      `prisma/shop/migrations do not build what prisma/shop/schema.prisma describes (1 difference):\n` +
        `- column "customer"."name" exists in prisma/shop/schema.prisma but not in prisma/shop/migrations\n`,
    );
  });
});

describe("compareCatalogs", () => {
  let fromSchema: Database;
  // One instance for all the variants, each in its own schema: starting a PGlite takes a second.
  let fromMigrations: Database;
  let variant = 0;

  beforeAll(async () => {
    const [draft, a, b] = await Promise.all([
      draftSchemaSql(path.join(FIXTURE_DIR, "schema.prisma")),
      openDatabase({ schema: "public", dataDir: "memory://" }),
      openDatabase({ schema: "public", dataDir: "memory://" }),
    ]);
    [fromSchema, fromMigrations] = [a, b];
    await fromSchema.sql.exec(draft);
  });

  afterAll(async () => {
    await Promise.allSettled([fromSchema.close(), fromMigrations.close()]);
  });

  async function differencesWith(edit: (migrations: Map<string, string>) => void): Promise<string[]> {
    const root = mutatedRoot(edit);
    variant += 1;
    await fromMigrations.sql.exec(`CREATE SCHEMA variant_${variant}; SET search_path TO variant_${variant}`);
    await migrate(fromMigrations.sql, path.join(root, "prisma", SERVICE, "migrations"));
    return compareCatalogs(fromSchema.sql, fromMigrations.sql, { a: "schema", b: "migrations" });
  }

  const cases: { name: string; edit: (m: Map<string, string>) => void; expected: string[] }[] = [
    {
      name: "a missing column",
      edit: (m) => replaceIn(m, INIT, `    "name" TEXT,\n`, ""),
      expected: [`column "customer"."name" exists in schema but not in migrations`],
    },
    {
      name: "a different numeric precision",
      edit: (m) => replaceIn(m, INIT, `DECIMAL(12,2)`, `DECIMAL(14,2)`),
      expected: [`column "order"."total": type is numeric(12,2) in schema but numeric(14,2) in migrations`],
    },
    {
      name: "a different type",
      edit: (m) => replaceIn(m, INIT, `"email" VARCHAR(254)`, `"email" TEXT`),
      expected: [`column "customer"."email": type is character varying(254) in schema but text in migrations`],
    },
    {
      name: "a different nullability",
      edit: (m) => replaceIn(m, INIT, `"name" TEXT,`, `"name" TEXT NOT NULL,`),
      expected: [`column "customer"."name": nullable is NULL in schema but NOT NULL in migrations`],
    },
    {
      name: "a missing default",
      edit: (m) => replaceIn(m, INIT, ` DEFAULT 'PENDING'`, ""),
      expected: [`column "order"."status": default is 'PENDING'::"OrderStatus" in schema but none in migrations`],
    },
    {
      name: "a missing index",
      edit: (m) => replaceIn(m, LOOKUP, `CREATE INDEX "order_customer_id_placed_at_idx" ON "order"("customer_id", "placed_at" DESC);`, ""),
      expected: [`index "order_customer_id_placed_at_idx" exists in schema but not in migrations`],
    },
    {
      name: "an index in another sort order",
      edit: (m) => replaceIn(m, LOOKUP, `"placed_at" DESC`, `"placed_at"`),
      expected: [`index "order_customer_id_placed_at_idx": columns is customer_id, placed_at DESC in schema but customer_id, placed_at in migrations`],
    },
    {
      name: "an index with another nulls order",
      edit: (m) => replaceIn(m, LOOKUP, `"placed_at" DESC`, `"placed_at" DESC NULLS LAST`),
      expected: [
        `index "order_customer_id_placed_at_idx": columns is customer_id, placed_at DESC in schema but customer_id, placed_at DESC NULLS LAST in migrations`,
      ],
    },
    {
      name: "a unique index that is not unique",
      edit: (m) => replaceIn(m, LOOKUP, `CREATE UNIQUE INDEX "order_customer_id_reference_key"`, `CREATE INDEX "order_customer_id_reference_key"`),
      expected: [`index "order_customer_id_reference_key": unique is true in schema but false in migrations`],
    },
    {
      name: "an index under another name",
      edit: (m) => replaceIn(m, INIT, `"customer_email_key"`, `"customer_email_unique"`),
      expected: [
        `index "customer_email_key" exists in schema but not in migrations`,
        `index "customer_email_unique" exists in migrations but not in schema`,
      ],
    },
    {
      name: "a primary key under another name",
      edit: (m) => replaceIn(m, INIT, `"customer_pkey"`, `"customer_pk"`),
      expected: [`primary key of "customer": name is customer_pkey in schema but customer_pk in migrations`],
    },
    {
      name: "another foreign key action",
      edit: (m) => replaceIn(m, INIT, `ON DELETE CASCADE`, `ON DELETE RESTRICT`),
      expected: [`foreign key "order"."order_customer_id_fkey": on delete is CASCADE in schema but RESTRICT in migrations`],
    },
    {
      name: "a missing enum label",
      edit: (m) => replaceIn(m, INIT, `, 'CANCELLED'`, ""),
      expected: [`enum "OrderStatus": labels is PENDING, PAID, CANCELLED in schema but PENDING, PAID in migrations`],
    },
    {
      name: "an extra table, reported once rather than column by column",
      edit: (m) => m.set(LOOKUP, `${m.get(LOOKUP)}\nCREATE TABLE "extra" ("id" INTEGER PRIMARY KEY, "note" TEXT);\nCREATE INDEX "extra_note_idx" ON "extra"("note");\n`),
      expected: [`table "extra" exists in migrations but not in schema`],
    },
  ];

  it.each(cases)("reports $name", async ({ edit, expected }) => {
    expect(await differencesWith(edit)).toEqual(expected);
  });

  it("ignores CHECK constraints and triggers", async () => {
    const differences = await differencesWith((m) =>
      m.set(
        LOOKUP,
        `${m.get(LOOKUP)}\nALTER TABLE "customer" ADD CONSTRAINT "customer_email_lower" CHECK ("email" = lower("email"));\n` +
          `CREATE TRIGGER "order_paid_is_final_too" BEFORE UPDATE ON "order" FOR EACH ROW EXECUTE FUNCTION "order_paid_is_final"();\n`,
      ),
    );

    expect(differences).toEqual([]);
  });

  it("compares a PostgreSQL service schema with an in-memory PGlite", async () => {
    const schema = `drift_test_${randomBytes(6).toString("hex")}`;
    const db = await openDatabase({ url: PG_URL, schema, dataDir: "unused" });
    try {
      await migrate(db.sql, path.join(FIXTURE_DIR, "migrations"));
      expect(await compareCatalogs(fromSchema.sql, db.sql)).toEqual([]);

      await db.sql.exec(`ALTER TABLE "order" ALTER COLUMN "reference" DROP DEFAULT`);
      expect(await compareCatalogs(fromSchema.sql, db.sql)).toEqual([`column "order"."reference": default is ''::text in a but none in b`]);
    } finally {
      await db.close();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    }
  });
});
