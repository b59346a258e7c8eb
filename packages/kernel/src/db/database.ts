import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { hasDataDirectory } from "./pglite-template.ts";
import type { SqlExecutor } from "./sql.ts";

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

/**
 * PGlite gives BIGINT as a number when it fits in a double and as a bigint otherwise; the kernel's
 * node-postgres pool gives bigint always (kernelTypes below). Money is BIGINT, so both executors
 * answer with bigint, whatever the value.
 */
const PGLITE_QUERY_OPTIONS = { parsers: { 20: (value: string) => BigInt(value) } };

function pgliteExecutor(db: PGlite | Parameters<Parameters<PGlite["transaction"]>[0]>[0]): SqlExecutor {
  return {
    dialect: "pglite",
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await db.query<T>(sql, params, PGLITE_QUERY_OPTIONS);
      return res.rows;
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      if (!("transaction" in db)) return fn(pgliteExecutor(db));
      return db.transaction((tx) => fn(pgliteExecutor(tx)));
    },
  };
}

function pgExecutor(pool: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    dialect: "postgres",
    async query<T>(sql: string, params: unknown[] = []) {
      const res = await pool.query(sql, params);
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
  return {
    mode: "embedded",
    sql: pgliteExecutor(pglite),
    // The adapter is typed against an older PGlite release that prisma hoists; it accepts any >= 0.2.
    prismaAdapter: new PrismaPGlite(pglite as unknown as ConstructorParameters<typeof PrismaPGlite>[0]),
    async close() {
      await pglite.close();
    },
  };
}
