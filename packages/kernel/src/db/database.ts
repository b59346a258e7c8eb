import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { hasDataDirectory } from "./pglite-template.ts";
import type { QueryOptions as SqlQueryOptions, SqlExecutor } from "./sql.ts";

export type PrismaAdapterFactory = PrismaPg | PrismaPGlite;

export interface Database {
  readonly mode: "embedded" | "real";
  /** Raw access for the kernel (migrator, outbox relay); one connection at a time per call. */
  readonly sql: SqlExecutor;
  /** Hand this to the service's generated PrismaClient as `adapter`. */
  readonly prismaAdapter: PrismaAdapterFactory;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL for real mode; undefined for embedded PGlite. */
  url?: string | undefined;
  /** PostgreSQL schema that holds this service's tables in real mode. */
  schema: string;
  /** Directory for PGlite files in embedded mode; "memory://" keeps it in memory. */
  dataDir: string;
  /** A dump of an empty PGlite data directory to start a new embedded database from (faster than initdb). */
  templateFile?: string | undefined;
  poolSize?: number;
}

type PGliteTx = Parameters<Parameters<PGlite["transaction"]>[0]>[0];
type QueryOptions = NonNullable<Parameters<PGlite["query"]>[2]>;
type ParserTable = PGlite["parsers"];

/**
 * PGlite gives BIGINT as a number when it fits in a double and as a bigint otherwise; the kernel's
 * node-postgres pool gives bigint always (kernelTypes below). Money is BIGINT, so the kernel's
 * executors answer with bigint on both, whatever the value.
 */
const KERNEL_PARSERS: ParserTable = { 20: (value: string) => BigInt(value) };

/**
 * One PGlite instance serves two clients that want different result parsers: the kernel (PGlite's
 * defaults: BIGINT as bigint, timestamps as Date) and Prisma's adapter, which passes its own
 * `parsers` with every query. PGlite merges per-query parsers into its instance table on every call
 * (`{ ...instanceParsers, ...options.parsers }`), and that table holds about 300 entries (one per
 * array type): the spread alone cost about 0.3 ms per query, more than the query itself.
 *
 * So the merge is done once: the instance table becomes defaults + Prisma's parsers, Prisma's queries
 * go without per-query parsers, and the kernel's (few: migrations, outbox relay, readiness) pass the
 * defaults of the handful of overridden types back.
 */
class PGliteParserTables {
  private base: ParserTable | undefined;
  private merged: ParserTable | undefined;
  private custom: ParserTable | undefined;
  private restore: ParserTable = {};

  constructor(private readonly pglite: PGlite) {}

  /** Options for a query on Prisma's behalf: its parsers are in the instance table. */
  forPrisma(options: QueryOptions | undefined): QueryOptions | undefined {
    const custom = options?.parsers as ParserTable | undefined;
    if (!options || !custom) return options;
    if (custom !== this.custom || this.pglite.parsers !== this.merged) {
      // First query, or PGlite rebuilt its table (refreshArrayTypes): merge again.
      const base = this.pglite.parsers === this.merged && this.base ? this.base : this.pglite.parsers;
      this.base = base;
      this.custom = custom;
      this.merged = { ...base, ...custom };
      this.restore = {};
      // An entry set to undefined falls back to PGlite's built-in parser for that type, as before.
      for (const oid of Object.keys(custom)) this.restore[oid] = base[oid]!;
      Object.assign(this.restore, KERNEL_PARSERS);
      this.pglite.parsers = this.merged;
    }
    const { parsers: _parsers, ...rest } = options;
    return rest;
  }

  /** Options for the kernel's own queries: PGlite's default parsers, and BIGINT always as bigint. */
  forKernel(): QueryOptions {
    return { parsers: this.merged && this.pglite.parsers === this.merged ? this.restore : KERNEL_PARSERS };
  }
}

function pgliteExecutor(db: PGlite | PGliteTx, tables: PGliteParserTables): SqlExecutor {
  return {
    dialect: "pglite",
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await db.query<T>(sql, params, tables.forKernel());
      return res.rows;
    },
    async exec(sql: string) {
      await db.exec(sql, tables.forKernel());
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (!("transaction" in db)) return fn(pgliteExecutor(db, tables));
      return db.transaction((tx) => fn(pgliteExecutor(tx, tables)));
    },
  };
}

/** What Prisma's PGlite adapter sees: the instance, with its queries' parsers taken from the instance table. */
function prismaView<T extends PGlite | PGliteTx>(db: T, tables: PGliteParserTables): T {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "query") {
        return (sql: string, params?: unknown[], options?: QueryOptions) => target.query(sql, params, tables.forPrisma(options));
      }
      if (prop === "transaction" && "transaction" in target) {
        return <R>(fn: (tx: PGliteTx) => Promise<R>) => target.transaction((tx) => fn(prismaView(tx, tables)));
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function pgExecutor(pool: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    dialect: "postgres",
    async query<T>(sql: string, params: unknown[] = [], options?: SqlQueryOptions) {
      const res = options?.name ? await pool.query({ name: options.name, text: sql, values: params }) : await pool.query(sql, params);
      return res.rows as T[];
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (!(pool instanceof pg.Pool)) return fn(pgExecutor(pool));
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn(pgExecutor(client));
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

/**
 * BIGINT as bigint for the kernel's own pool, as PGlite returns it. Set per pool, never globally:
 * Prisma's driver adapter expects node-postgres' default (strings) on its own pool.
 */
const kernelTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? (v: string) => BigInt(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

async function createPGlite(opts: DatabaseOptions, inMemory: boolean): Promise<PGlite> {
  if (inMemory) return PGlite.create();
  const template = opts.templateFile;
  if (template && fs.existsSync(template) && !hasDataDirectory(opts.dataDir)) {
    try {
      const dump = new Blob([fs.readFileSync(template)]);
      return await PGlite.create({ dataDir: opts.dataDir, loadDataDir: dump });
    } catch {
      // A template that cannot be restored is only a lost shortcut: start from initdb instead.
      fs.rmSync(opts.dataDir, { recursive: true, force: true });
    }
  }
  return PGlite.create(opts.dataDir);
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const admin = new pg.Client({ connectionString: opts.url });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
    } catch (err) {
      // Two processes creating the same schema at once race on the catalog; the loser is fine.
      if ((err as { code?: string }).code !== "23505") throw err;
    } finally {
      await admin.end();
    }
    const poolConfig: pg.PoolConfig = {
      connectionString: opts.url,
      options: `-c search_path="${opts.schema}"`,
      max: opts.poolSize ?? 10,
    };
    const pool = new pg.Pool({ ...poolConfig, types: kernelTypes });
    const prismaPool = new pg.Pool(poolConfig);
    return {
      mode: "real",
      sql: pgExecutor(pool),
      prismaAdapter: new PrismaPg(prismaPool, { schema: opts.schema }),
      async close() {
        await Promise.allSettled([pool.end(), prismaPool.end()]);
      },
    };
  }
  const inMemory = opts.dataDir === "memory://";
  if (!inMemory) fs.mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const pglite: PGlite = await createPGlite(opts, inMemory);
  const tables = new PGliteParserTables(pglite);
  return {
    mode: "embedded",
    sql: pgliteExecutor(pglite, tables),
    // The adapter is typed against an older PGlite release that prisma hoists; it accepts any >= 0.2.
    prismaAdapter: new PrismaPGlite(prismaView(pglite, tables) as unknown as ConstructorParameters<typeof PrismaPGlite>[0]),
    async close() {
      await pglite.close();
    },
  };
}
