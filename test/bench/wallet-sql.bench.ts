/**
 * Where the database time of a wallet command goes: pgbench (no Node at all) against a scratch schema
 * migrated with the wallet's migrations, in one run:
 *
 *   pgbench-N      pgbench -N in the same schema (the physical anchor)
 *   full           STAKE through ledger_post() exactly as migrated
 *   full+relay     the same, plus the outbox relay's transaction (advisory lock, SKIP LOCKED batch,
 *                  UPDATE published_at) at the rate the wallet runs it (weight BENCH_RELAY_WEIGHT)
 *   no-live        ledger_post() without the live-balance payload query (jsonb_agg over the accounts)
 *   no-outbox      ledger_post() without the live payload and without its two outbox rows
 *   currency-fix   ledger_post() and ledger_account_id() comparing account.currency (CHAR(3)) with
 *                  p_currency::CHAR(3) instead of TEXT, so the account lookups use their index
 *   currency-fix+relay  the same with the relay's transaction mixed in
 *
 * The variants are copies of the migrated function, edited in this scratch schema only. Spread over
 * BENCH_WALLETS (10,000) wallets, 16 clients, 2 threads, extended protocol (as node-postgres and
 * Prisma send), BENCH_SECONDS (10) each. Writes bench-results/wallet-sql.json.
 *
 *   node --import tsx test/bench/wallet-sql.bench.ts
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@casino/kernel/db/database";
import { migrate } from "@casino/kernel/db/migrator";
import { REPO_ROOT } from "@casino/kernel/supervisor";
import { connectionParams, findPgbench, parsePgbenchTps, round, run } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 10_000);
const RELAY_WEIGHT = Number(process.env.BENCH_RELAY_WEIGHT ?? 7); // one relay run per ~14 stakes, as measured (1.07 commits per ledger transaction)
const schema = `bench_wsql_${process.pid}`;
const pgbench = findPgbench();
if (!pgbench) throw new Error("pgbench not found");

const migrationsDir = path.join(REPO_ROOT, "prisma", "wallet", "migrations");
const db = await openDatabase({ url: DATABASE_URL, schema, dataDir: "unused" });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wallet-sql-"));
const results: Record<string, number> = {};
const perCallUs: Record<string, number> = {};
try {
  await migrate(db.sql, migrationsDir);
  // The migrated ledger_post(), renamed and edited into the variants.
  const source = fs.readFileSync(path.join(migrationsDir, "20261129010000_ledger_operations", "migration.sql"), "utf8");
  const fnText = source.slice(source.indexOf(`CREATE FUNCTION "ledger_post"(`));
  const liveStart = fnText.indexOf("    SELECT jsonb_build_object(\n        'playerId'");
  const liveEnd = fnText.indexOf("    INSERT INTO outbox_event");
  const outboxEnd = fnText.indexOf("'balanceChanged');\n") + "'balanceChanged');\n".length;
  if (liveStart < 0 || liveEnd < liveStart || outboxEnd < liveEnd) throw new Error("ledger_post() no longer has the expected shape; update the variants");
  const renamed = (name: string, text: string) => text.replace(`CREATE FUNCTION "ledger_post"(`, `CREATE FUNCTION "${name}"(`);
  await db.sql.exec(renamed("ledger_post_no_live", fnText.slice(0, liveStart) + "    v_live := '{}'::JSONB;\n" + fnText.slice(liveEnd)));
  await db.sql.exec(renamed("ledger_post_no_outbox", fnText.slice(0, liveStart) + fnText.slice(outboxEnd)));
  // currency-fix: account.currency is CHAR(3) and p_currency TEXT, so `a.currency = p_currency` compares
  // as text, cannot use account_type_currency_ref_key and scans the whole account table (EXPLAIN:
  // Seq Scan, Filter ((currency)::text = 'GBP'::text)). The variant compares as CHAR(3).
  const accountFn = source.slice(source.indexOf(`CREATE FUNCTION "ledger_account_id"(`));
  const accountFnText = accountFn.slice(0, accountFn.indexOf("$$;") + 3);
  const fixedAccountFn = accountFnText.replace(`"ledger_account_id"(`, `"ledger_account_id_fixed"(`).replaceAll("currency = p_currency", "currency = p_currency::CHAR(3)");
  const fixedPost = fnText.replaceAll("a.currency = p_currency", "a.currency = p_currency::CHAR(3)").replaceAll("ledger_account_id(", "ledger_account_id_fixed(");
  if (fixedAccountFn.split("p_currency::CHAR(3)").length !== 3 || fixedPost.split("p_currency::CHAR(3)").length !== 4) throw new Error("currency-fix variant: unexpected function text");
  await db.sql.exec(fixedAccountFn);
  await db.sql.exec(renamed("ledger_post_currency_fix", fixedPost));

  await db.sql.exec(`
    CREATE TABLE bench_ids (n INT PRIMARY KEY, player_id UUID NOT NULL);
    INSERT INTO bench_ids SELECT g, gen_random_uuid() FROM generate_series(1, ${WALLETS}) g;
    INSERT INTO wallet (player_id, default_currency, version, head_hash)
      SELECT player_id, 'GBP', 0, encode(sha256(convert_to('wallet-genesis:' || player_id::TEXT, 'UTF8')), 'hex') FROM bench_ids;
    SELECT count(*) FROM bench_ids, LATERAL ledger_post('DEPOSIT', player_id, 'GBP', 'fund-' || player_id, 'x', 100000000, NULL, 'bench-psp', '{}') p;
    UPDATE outbox_event SET published_at = now();`);
  await db.sql.exec("VACUUM ANALYZE");

  const c = connectionParams(DATABASE_URL);
  const env = { ...process.env, PGHOST: c.host, PGPORT: c.port, PGUSER: c.user, PGDATABASE: c.database, PGOPTIONS: `-c search_path=${schema}`, ...(c.password ? { PGPASSWORD: c.password } : {}) };
  const init = await run(pgbench, ["-i", "-s", "10", "-q", "--no-vacuum"], env);
  if (init.code !== 0) throw new Error(init.stderr);
  await db.sql.exec("VACUUM ANALYZE pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history");

  const script = (name: string, text: string) => {
    const file = path.join(tmp, `${name}.sql`);
    fs.writeFileSync(file, text);
    return file;
  };
  const stake = (fn: string) =>
    script(fn, `\\set n random(1, ${WALLETS})\nSELECT status FROM ${fn}('STAKE', (SELECT player_id FROM bench_ids WHERE n = :n), 'GBP', gen_random_uuid()::text, 'x', 100, NULL, 'bench-provider', '{}');\n`);
  const relay = script(
    "relay",
    `BEGIN;
SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.outbox_event'));
UPDATE outbox_event SET published_at = now() WHERE id IN (SELECT id FROM outbox_event WHERE published_at IS NULL ORDER BY seq LIMIT 200 FOR UPDATE SKIP LOCKED);
COMMIT;
`,
  );
  const bench = async (name: string, scripts: string[]) => {
    const args = ["-c", "16", "-j", "2", "-T", String(SECONDS), "-M", "extended", ...scripts];
    const res = await run(pgbench, args, env);
    const tps = parsePgbenchTps(res.stdout);
    if (res.code !== 0 || tps === undefined) throw new Error(`${name}: ${res.stderr || res.stdout}`);
    // With two scripts, count only the stakes: pgbench reports each script's share of transactions.
    let stakes = tps;
    const m = /SQL script 1: .*?\n - weight: \d+ \(targets [\d.]+% of total\)\n - (\d+) transactions \(([\d.]+)% of total, tps = ([\d.]+)\)/s.exec(res.stdout);
    if (scripts.length > 2 && m) stakes = Number(m[3]);
    results[name] = round(stakes, 1);
    process.stdout.write(`${name.padEnd(12)} ${round(stakes, 1)} tps${scripts.length > 2 ? ` (stakes; all transactions ${round(tps, 1)})` : ""}\n`);
  };
  // Per-call cost on one backend, no concurrency (far less sensitive to a noisy machine than tps):
  // 2,000 stakes in one statement, best of three; and the relay's UPDATE per outbox row.
  for (const fn of ["ledger_post", "ledger_post_no_live", "ledger_post_no_outbox", "ledger_post_currency_fix"]) {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await db.sql.query(
        `SELECT count(*) FROM (SELECT player_id FROM bench_ids ORDER BY random() LIMIT 2000) w,
           LATERAL ${fn}('STAKE', w.player_id, 'GBP', gen_random_uuid()::text, 'x', 100, NULL, 'bench-provider', '{}') p`,
      );
      best = Math.min(best, ((performance.now() - t0) * 1000) / 2000);
    }
    perCallUs[fn] = round(best, 1);
  }
  {
    let rows = 0;
    const t0 = performance.now();
    for (;;) {
      const r = await db.sql.query<{ n: number }>(
        `WITH u AS (UPDATE outbox_event SET published_at = now() WHERE id IN (SELECT id FROM outbox_event WHERE published_at IS NULL ORDER BY seq LIMIT 200) RETURNING 1) SELECT count(*)::int AS n FROM u`,
      );
      if (!r[0]!.n) break;
      rows += r[0]!.n;
    }
    perCallUs["relayUpdatePerOutboxRow"] = round(((performance.now() - t0) * 1000) / rows, 1);
  }
  process.stdout.write(`per call, one backend (µs): ${JSON.stringify(perCallUs)}\n`);

  for (let pass = 0; pass < 2; pass++) {
    await bench(`pgbench-N#${pass}`, ["-N"]);
    await bench(`full#${pass}`, ["-f", stake("ledger_post")]);
    await bench(`full+relay#${pass}`, ["-f", `${stake("ledger_post")}@${100 - RELAY_WEIGHT}`, "-f", `${relay}@${RELAY_WEIGHT}`]);
    await bench(`no-live#${pass}`, ["-f", stake("ledger_post_no_live")]);
    await bench(`no-outbox#${pass}`, ["-f", stake("ledger_post_no_outbox")]);
    await bench(`currency-fix#${pass}`, ["-f", stake("ledger_post_currency_fix")]);
    await bench(`currency-fix+relay#${pass}`, ["-f", `${stake("ledger_post_currency_fix")}@${100 - RELAY_WEIGHT}`, "-f", `${relay}@${RELAY_WEIGHT}`]);
    await db.sql.exec("UPDATE outbox_event SET published_at = now() WHERE published_at IS NULL");
  }
  const median = (name: string) => round((results[`${name}#0`]! + results[`${name}#1`]!) / 2, 1);
  const summary = Object.fromEntries(["pgbench-N", "full", "full+relay", "no-live", "no-outbox", "currency-fix", "currency-fix+relay"].map((n) => [n, median(n)]));
  const ratios = Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, round(v / summary["pgbench-N"]!, 3)]));
  const out = path.join(REPO_ROOT, "bench-results", "wallet-sql.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ benchmark: "wallet-sql", date: new Date().toISOString(), seconds: SECONDS, wallets: WALLETS, relayWeightPercent: RELAY_WEIGHT, perCallMicroseconds: perCallUs, runs: results, meanOfTwo: summary, ratioToPgbenchN: ratios }, null, 2) + "\n");
  process.stdout.write(`${JSON.stringify({ meanOfTwo: summary, ratioToPgbenchN: ratios })}\nwritten to ${path.relative(REPO_ROOT, out)}\n`);
} finally {
  await db.sql.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
