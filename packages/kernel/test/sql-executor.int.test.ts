import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import pg from "pg";
import { openDatabase, type Database } from "../src/db/database.ts";

const PG_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const schema = `sql_exec_test_${randomBytes(6).toString("hex")}`;

const TEXT = `SELECT n, n * $1::bigint AS times FROM generate_series(1, 3) AS t(n) WHERE n >= $2::int ORDER BY n`;

describe("SqlExecutor query options", () => {
  let real: Database;
  let embedded: Database;
  let admin: pg.Client;

  beforeAll(async () => {
    real = await openDatabase({ url: PG_URL, schema, dataDir: "unused" });
    embedded = await openDatabase({ dataDir: "memory://", schema: "kernel" });
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
  });

  afterAll(async () => {
    await real?.close();
    await embedded?.close();
    await admin?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin?.end();
  });

  it("answers a named statement exactly as an unnamed one, on PostgreSQL and PGlite", async () => {
    for (const db of [real, embedded]) {
      const plain = await db.sql.query(TEXT, [10n, 2]);
      const named = await db.sql.query(TEXT, [10n, 2], { name: "kernel_test_times" });
      const again = await db.sql.query(TEXT, [7n, 1], { name: "kernel_test_times" });
      expect(named).toEqual(plain);
      expect(named).toEqual([
        { n: 2, times: 20n },
        { n: 3, times: 30n },
      ]);
      expect(again.map((r) => r.times)).toEqual([7n, 14n, 21n]);
    }
  });

  it("prepares a named statement on the PostgreSQL connection that runs it", async () => {
    const prepared = await real.sql.transaction(async (tx) => {
      await tx.query(TEXT, [1n, 1], { name: "kernel_test_once" });
      await tx.query(TEXT, [2n, 1], { name: "kernel_test_once" });
      return tx.query<{ name: string; statement: string }>(`SELECT name, statement FROM pg_prepared_statements WHERE name = 'kernel_test_once'`);
    });
    expect(prepared).toEqual([{ name: "kernel_test_once", statement: TEXT }]);
  });
});
