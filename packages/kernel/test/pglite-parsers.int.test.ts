import { openDatabase, type Database } from "../src/db/database.ts";

/** Prisma's adapter and the kernel share one PGlite instance but want different result parsers. */
describe("PGlite result parsers shared by Prisma's adapter and the kernel", () => {
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ schema: "public", dataDir: "memory://" });
    await db.sql.exec(`CREATE TABLE t (n BIGINT, at TIMESTAMPTZ(3), doc JSONB, day DATE)`);
    await db.sql.query(`INSERT INTO t VALUES (9007199254740993, '2026-01-02T03:04:05.678Z', '{"a":1}', '2026-01-02')`);
  });

  afterAll(async () => {
    await db.close();
  });

  const kernelRow = async () => (await db.sql.query<{ n: unknown; at: unknown; doc: unknown; day: unknown }>(`SELECT n, at, doc, day FROM t`))[0]!;

  it("gives each side its own parsing, before and after the other has queried, in and out of transactions", async () => {
    const before = await kernelRow();
    expect(before.n).toBe(9007199254740993n);
    expect(before.at).toEqual(new Date("2026-01-02T03:04:05.678Z"));
    expect(before.doc).toEqual({ a: 1 });

    const adapter = await db.prismaAdapter.connect();
    const query = { sql: `SELECT n, at, doc FROM t`, args: [], argTypes: [] };
    const viaPrisma = await adapter.queryRaw(query);
    // The adapter's own normalisers: BIGINT as a decimal string, timestamps as ISO-like text.
    expect(viaPrisma.rows[0]![0]).toBe("9007199254740993");
    expect(typeof viaPrisma.rows[0]![1]).toBe("string");

    expect(await kernelRow()).toEqual(before);
    const tx = await adapter.startTransaction();
    expect((await tx.queryRaw(query)).rows).toEqual(viaPrisma.rows);
    await tx.commit();
    expect(await db.sql.transaction((sql) => sql.query(`SELECT n, at, doc, day FROM t`))).toEqual([before]);
    expect((await adapter.queryRaw(query)).rows).toEqual(viaPrisma.rows);
  });
});
