/**
 * Drift check: does applying a service's migrations give the database its `schema.prisma`
 * describes? The generated Prisma client trusts the schema file; the database is built from the
 * migrations; nothing else ties the two together.
 *
 * Compared, in the current schema of each database: tables, columns (type with length/precision,
 * nullability, default, identity, generation), primary keys, indexes (unique or not, columns, sort
 * order, method, predicate), foreign keys (columns, target, actions) and enum types with their
 * labels in order. Not compared: CHECK constraints, triggers and functions, which migrations add
 * for guarantees Prisma cannot express (a balance that is never negative, an append-only table),
 * and the migrator's own `_migrations` table.
 */
import path from "node:path";
import { openDatabase } from "./database.ts";
import { MIGRATIONS_TABLE, migrate } from "./migrator.ts";
import { draftSchemaSql } from "./prisma-sql.ts";
import type { SqlExecutor } from "./sql.ts";

type Attributes = Record<string, string>;

/** Every object of one kind, by a key that names it in messages. */
type Objects = Map<string, Attributes>;

interface Catalog {
  enums: Objects;
  tables: Objects;
  columns: Objects;
  primaryKeys: Objects;
  indexes: Objects;
  foreignKeys: Objects;
}

const FK_ACTIONS: Record<string, string> = { a: "NO ACTION", r: "RESTRICT", c: "CASCADE", n: "SET NULL", d: "SET DEFAULT" };

// Not current_schema()::regnamespace: that cast would fold an unquoted mixed-case name.
const SCHEMA = `(SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = current_schema())`;

// Each query keeps to the first schema of the search_path and returns plain text, so that the
// same catalog read on PGlite and on PostgreSQL, in `public` or in a service schema, compares equal.
const TABLES_SQL = `
  SELECT c.relname AS table, c.relkind::text AS kind
  FROM pg_catalog.pg_class c
  WHERE c.relnamespace = ${SCHEMA} AND c.relkind IN ('r', 'p') AND c.relname <> $1`;

const COLUMNS_SQL = `
  SELECT c.relname AS table, a.attname AS column,
         pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
         a.attnotnull AS not_null,
         pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default,
         a.attidentity::text AS identity, a.attgenerated::text AS generated,
         coll.collname AS collation
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  LEFT JOIN pg_catalog.pg_collation coll ON coll.oid = a.attcollation AND a.attcollation <> (
    SELECT t.typcollation FROM pg_catalog.pg_type t WHERE t.oid = a.atttypid)
  WHERE c.relnamespace = ${SCHEMA} AND c.relkind IN ('r', 'p') AND c.relname <> $1
    AND a.attnum > 0 AND NOT a.attisdropped`;

const PRIMARY_KEYS_SQL = `
  SELECT c.relname AS table, con.conname AS name,
         array_to_string(ARRAY(
           SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ', ') AS columns
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
  WHERE con.connamespace = ${SCHEMA} AND con.contype = 'p' AND c.relname <> $1`;

// Key columns one by one through pg_get_indexdef(oid, n, true), which gives the column or
// expression with any non-default collation or operator class. Sort order comes from indoption
// (bit 1 DESC, bit 2 NULLS FIRST), written as in CREATE INDEX: DESC implies NULLS FIRST.
const INDEXES_SQL = `
  SELECT ic.relname AS name, c.relname AS table, i.indisunique AS unique, am.amname AS method,
         array_to_string(ARRAY(
           SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, true)
                  || CASE i.indoption[k.n - 1] & 3
                       WHEN 1 THEN ' DESC NULLS LAST' WHEN 2 THEN ' NULLS FIRST' WHEN 3 THEN ' DESC' ELSE '' END
           FROM generate_series(1, i.indnkeyatts) k(n) ORDER BY k.n), ', ') AS columns,
         array_to_string(ARRAY(
           SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, true)
           FROM generate_series(i.indnkeyatts + 1, i.indnatts) k(n) ORDER BY k.n), ', ') AS include,
         pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
  WHERE c.relnamespace = ${SCHEMA} AND NOT i.indisprimary AND c.relname <> $1`;

const FOREIGN_KEYS_SQL = `
  SELECT c.relname AS table, con.conname AS name, rc.relname AS ref_table,
         array_to_string(ARRAY(
           SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ', ') AS columns,
         array_to_string(ARRAY(
           SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
           ORDER BY k.ord), ', ') AS ref_columns,
         con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
         con.condeferrable AS deferrable, con.condeferred AS deferred
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
  WHERE con.connamespace = ${SCHEMA} AND con.contype = 'f'`;

const ENUMS_SQL = `
  SELECT t.typname AS name,
         array_to_string(ARRAY(
           SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder), ', ') AS labels
  FROM pg_catalog.pg_type t
  WHERE t.typnamespace = ${SCHEMA} AND t.typtype = 'e'`;

async function readCatalog(sql: SqlExecutor): Promise<Catalog> {
  const [schema] = await sql.query<{ schema: string | null }>(`SELECT current_schema() AS schema`);
  if (!schema?.schema) throw new Error("cannot read the catalog: the search_path names no existing schema");
  const excluded = [MIGRATIONS_TABLE];
  const [tables, columns, primaryKeys, indexes, foreignKeys, enums] = await Promise.all([
    sql.query<{ table: string; kind: string }>(TABLES_SQL, excluded),
    sql.query<{
      table: string;
      column: string;
      type: string;
      not_null: boolean;
      default: string | null;
      identity: string;
      generated: string;
      collation: string | null;
    }>(COLUMNS_SQL, excluded),
    sql.query<{ table: string; name: string; columns: string }>(PRIMARY_KEYS_SQL, excluded),
    sql.query<{
      name: string;
      table: string;
      unique: boolean;
      method: string;
      columns: string;
      include: string;
      predicate: string | null;
    }>(INDEXES_SQL, excluded),
    sql.query<{
      table: string;
      name: string;
      ref_table: string;
      columns: string;
      ref_columns: string;
      on_delete: string;
      on_update: string;
      deferrable: boolean;
      deferred: boolean;
    }>(FOREIGN_KEYS_SQL),
    sql.query<{ name: string; labels: string }>(ENUMS_SQL),
  ]);
  const q = (name: string) => `"${name}"`;
  return {
    enums: new Map(enums.map((e) => [`enum ${q(e.name)}`, { labels: e.labels }])),
    tables: new Map(tables.map((t) => [`table ${q(t.table)}`, { kind: t.kind === "p" ? "partitioned" : "ordinary" }])),
    columns: new Map(
      columns.map((c) => [
        `column ${q(c.table)}.${q(c.column)}`,
        {
          type: c.type,
          nullable: c.not_null ? "NOT NULL" : "NULL",
          default: c.default ?? "none",
          identity: { a: "ALWAYS", d: "BY DEFAULT" }[c.identity] ?? "none",
          generated: c.generated === "s" ? "STORED" : "none",
          collation: c.collation ?? "default",
        },
      ]),
    ),
    primaryKeys: new Map(primaryKeys.map((p) => [`primary key of ${q(p.table)}`, { name: p.name, columns: p.columns }])),
    indexes: new Map(
      indexes.map((i) => [
        `index ${q(i.name)}`,
        {
          table: i.table,
          unique: String(i.unique),
          method: i.method,
          columns: i.columns,
          include: i.include || "none",
          predicate: i.predicate ?? "none",
        },
      ]),
    ),
    foreignKeys: new Map(
      foreignKeys.map((f) => [
        `foreign key ${q(f.table)}.${q(f.name)}`,
        {
          columns: f.columns,
          references: `${q(f.ref_table)} (${f.ref_columns})`,
          "on delete": FK_ACTIONS[f.on_delete] ?? f.on_delete,
          "on update": FK_ACTIONS[f.on_update] ?? f.on_update,
          deferrable: f.deferrable ? (f.deferred ? "INITIALLY DEFERRED" : "INITIALLY IMMEDIATE") : "NOT DEFERRABLE",
        },
      ]),
    ),
  };
}

/** The table an object belongs to, so that a missing table is reported once, not per column. */
function tableOf(kind: keyof Catalog, attrs: Attributes, key: string): string | undefined {
  if (kind === "indexes") return `table "${attrs.table}"`;
  const m = /^(?:column|foreign key) ("(?:[^"]|"")*")\./.exec(key) ?? /^primary key of (".*")$/.exec(key);
  return m ? `table ${m[1]}` : undefined;
}

export interface CompareLabels {
  a: string;
  b: string;
}

/**
 * Compares the current schemas of two databases and returns the differences, one sentence each,
 * sorted; an empty list means they are equal for everything Prisma knows about.
 */
export async function compareCatalogs(a: SqlExecutor, b: SqlExecutor, labels: CompareLabels = { a: "a", b: "b" }): Promise<string[]> {
  const [ca, cb] = await Promise.all([readCatalog(a), readCatalog(b)]);
  const differences: string[] = [];
  const kinds: (keyof Catalog)[] = ["enums", "tables", "columns", "primaryKeys", "indexes", "foreignKeys"];
  for (const kind of kinds) {
    const [oa, ob] = [ca[kind], cb[kind]];
    for (const [key, attrs] of oa) {
      const other = ob.get(key);
      if (!other) {
        const table = kind === "tables" ? undefined : tableOf(kind, attrs, key);
        // Everything in a table that one side lacks altogether is implied by that one line.
        if (table === undefined || cb.tables.has(table)) differences.push(`${key} exists in ${labels.a} but not in ${labels.b}`);
        continue;
      }
      for (const [attr, value] of Object.entries(attrs)) {
        if (other[attr] !== value) differences.push(`${key}: ${attr} is ${value} in ${labels.a} but ${other[attr]} in ${labels.b}`);
      }
    }
    for (const [key, attrs] of ob) {
      if (oa.has(key)) continue;
      const table = kind === "tables" ? undefined : tableOf(kind, attrs, key);
      if (table === undefined || ca.tables.has(table)) differences.push(`${key} exists in ${labels.b} but not in ${labels.a}`);
    }
  }
  return differences.sort();
}

/**
 * Throws, listing the differences, unless `prisma/<service>/migrations` builds exactly what
 * `prisma/<service>/schema.prisma` describes. Each side gets its own in-memory PGlite.
 */
export async function assertNoDrift(serviceName: string, repoRoot: string): Promise<void> {
  const dir = path.join(repoRoot, "prisma", serviceName);
  const schemaFile = path.join(dir, "schema.prisma");
  const migrationsDir = path.join(dir, "migrations");
  // The Prisma CLI takes a few seconds; start the databases meanwhile.
  const [draft, fromSchema, fromMigrations] = await Promise.all([
    draftSchemaSql(schemaFile),
    openDatabase({ schema: "public", dataDir: "memory://" }),
    openDatabase({ schema: "public", dataDir: "memory://" }),
  ]);
  try {
    await fromSchema.sql.exec(draft);
    await migrate(fromMigrations.sql, migrationsDir);
    const differences = await compareCatalogs(fromSchema.sql, fromMigrations.sql, {
      a: `prisma/${serviceName}/schema.prisma`,
      b: `prisma/${serviceName}/migrations`,
    });
    if (differences.length > 0) {
      throw new Error(
        `prisma/${serviceName}/migrations do not build what prisma/${serviceName}/schema.prisma describes ` +
          `(${differences.length} difference${differences.length === 1 ? "" : "s"}):\n- ${differences.join("\n- ")}\n` +
          `Draft the missing migration with: node --import tsx scripts/prisma-sql.ts ${serviceName} --from <previous schema.prisma> --write <name>`,
      );
    }
  } finally {
    await Promise.allSettled([fromSchema.close(), fromMigrations.close()]);
  }
}
