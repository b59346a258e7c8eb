/**
 * Where the database time of a wallet command goes: pgbench (no Node at all) against a scratch schema
 * migrated with the wallet's migrations, in one run:
 *
 *   pgbench-N        pgbench -N in the same schema (the physical anchor)
 *   full             STAKE through ledger_post() exactly as migrated, one command per statement
 *   full+relay       the same, plus the outbox relay's transaction (advisory lock, SKIP LOCKED batch,
 *                    UPDATE published_at) at the rate the wallet runs it (weight BENCH_RELAY_WEIGHT)
 *   no-outbox        ledger_post() without its outbox row (the live payload and the INSERT)
 *   strict-money     ledger_post() calling STRICT copies of ledger_money()/ledger_currency_exponent(),
 *                    as before migration 20261129120000_ledger_money_inline (not inlinable)
 *   batch<N>         ledger_post_batch() with N stakes per statement, on 16/N clients, so that 16
 *                    commands are in flight as in `full` (what the wallet's group commit does)
 *
 * The variants are copies of the migrated function, edited in this scratch schema only (from the
 * function's text in the database, so they follow the latest migration). Spread over BENCH_WALLETS
 * (10,000) wallets, 2 threads, extended protocol (as node-postgres sends), BENCH_SECONDS (10) each,
 * BENCH_PASSES (2) passes in alternation. Also the cost per call on one backend (2,000 stakes in one
 * statement, best of three), which a noisy machine disturbs far less than throughput.
 * Writes bench-results/wallet-sql.json.
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
const PASSES = Number(process.env.BENCH_PASSES ?? 2);
const RELAY_WEIGHT = Number(process.env.BENCH_RELAY_WEIGHT ?? 7); // one relay run per ~14 stakes without group commit
const BATCHES = (process.env.BENCH_BATCHES ?? "4,8").split(",").map(Number);
const schema = `bench_wsql_${process.pid}`;
const pgbench = findPgbench();
if (!pgbench) throw new Error("pgbench not found");

const migrationsDir = path.join(REPO_ROOT, "prisma", "wallet", "migrations");
const db = await openDatabase({ url: DATABASE_URL, schema, dataDir: "unused" });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wallet-sql-"));
const results: Record<string, number[]> = {};
const perCallUs: Record<string, number> = {};

/** Replaces `from` in `text`, insisting that it is there: a variant that silently edits nothing measures nothing. */
function edit(text: string, from: string, to: string, what: string): string {
  if (!text.includes(from)) throw new Error(`${what}: ledger_post() no longer contains ${JSON.stringify(from.slice(0, 60))}; update the variant`);
  return text.replace(from, to);
}

try {
  await migrate(db.sql, migrationsDir);
  const [{ def }] = (await db.sql.query<{ def: string }>(`SELECT pg_get_functiondef('ledger_post'::regproc) AS def`)) as [{ def: string }];
  const renamed = (name: string, text: string) => edit(text, `.ledger_post(`, `.${name}(`, name);

  // no-outbox: from the live payload to the end of the outbox INSERT.
  const liveStart = def.indexOf("    v_live := jsonb_build_object(");
  const outboxEnd = def.indexOf("'balanceChanged');") + "'balanceChanged');".length;
  if (liveStart < 0 || outboxEnd < liveStart) throw new Error("no-outbox: ledger_post() no longer has the expected shape; update the variant");
  await db.sql.exec(renamed("ledger_post_no_outbox", def.slice(0, liveStart) + def.slice(outboxEnd)));

  // strict-money: the money helpers as first migrated (STRICT, so never inlined).
  const money = (await db.sql.query<{ def: string }>(`SELECT pg_get_functiondef(p.oid) AS def FROM pg_proc p WHERE p.proname IN ('ledger_money', 'ledger_currency_exponent') AND p.pronamespace = current_schema()::regnamespace`)).map((r) => r.def);
  for (const text of money) {
    const strict = edit(text.replace(/\.ledger_(money|currency_exponent)\(/, ".ledger_$1_strict("), "IMMUTABLE", "IMMUTABLE STRICT", "strict-money").replaceAll("ledger_currency_exponent(p_currency)", "ledger_currency_exponent_strict(p_currency)");
    await db.sql.exec(strict);
  }
  await db.sql.exec(renamed("ledger_post_strict_money", edit(def, "ledger_money(v_tx.balance_after", "ledger_money_strict(v_tx.balance_after", "strict-money")));

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
  // N stakes on N random wallets in one statement, as the wallet's PostQueue sends them.
  const batch = (n: number) =>
    script(
      `batch${n}`,
      Array.from({ length: n }, (_, i) => `\\set n${i} random(1, ${WALLETS})\n`).join("") +
        `SELECT count(*) FROM ledger_post_batch((SELECT jsonb_agg(jsonb_build_object('type', 'STAKE', 'playerId', b.player_id, 'currency', 'GBP',
           'idempotencyKey', gen_random_uuid()::text, 'requestHash', 'x', 'amount', '100', 'refKey', NULL, 'counterRef', 'bench-provider', 'reference', '{}'::jsonb))
           FROM bench_ids b WHERE b.n = ANY(ARRAY[${Array.from({ length: n }, (_, i) => `:n${i}::int`).join(", ")}])));\n`,
    );
  const relay = script(
    "relay",
    `BEGIN;
SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.outbox_event'));
UPDATE outbox_event SET published_at = now() WHERE id IN (SELECT id FROM outbox_event WHERE published_at IS NULL ORDER BY seq LIMIT 200 FOR UPDATE SKIP LOCKED);
COMMIT;
`,
  );
  /** Runs pgbench; `perTransaction` commands per pgbench transaction of the first script. */
  const bench = async (name: string, clients: number, scripts: string[], perTransaction = 1) => {
    const args = ["-c", String(clients), "-j", String(Math.min(2, clients)), "-T", String(SECONDS), "-M", "extended", ...scripts];
    const res = await run(pgbench, args, env);
    const tps = parsePgbenchTps(res.stdout);
    if (res.code !== 0 || tps === undefined) throw new Error(`${name}: ${res.stderr || res.stdout}`);
    // With two scripts, count only the stakes: pgbench reports each script's share of transactions.
    let stakes = tps;
    const m = /SQL script 1: .*?\n - weight: \d+ \(targets [\d.]+% of total\)\n - (\d+) transactions \(([\d.]+)% of total, tps = ([\d.]+)\)/s.exec(res.stdout);
    if (scripts.length > 2 && m) stakes = Number(m[3]);
    const commands = round(stakes * perTransaction, 1);
    (results[name] ??= []).push(commands);
    process.stdout.write(`${name.padEnd(18)} ${commands} commands/s${perTransaction > 1 ? ` (${round(stakes, 1)} statements/s)` : ""}${scripts.length > 2 ? ` (stakes; all transactions ${round(tps, 1)})` : ""}\n`);
  };

  // Per-call cost on one backend, no concurrency: 2,000 stakes in one statement, best of three; and
  // the relay's UPDATE per outbox row.
  for (const fn of ["ledger_post", "ledger_post_no_outbox", "ledger_post_strict_money"]) {
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

  for (let pass = 0; pass < PASSES; pass++) {
    await bench("pgbench-N", 16, ["-N"]);
    await bench("full", 16, ["-f", stake("ledger_post")]);
    await bench("full+relay", 16, ["-f", `${stake("ledger_post")}@${100 - RELAY_WEIGHT}`, "-f", `${relay}@${RELAY_WEIGHT}`]);
    await bench("no-outbox", 16, ["-f", stake("ledger_post_no_outbox")]);
    await bench("strict-money", 16, ["-f", stake("ledger_post_strict_money")]);
    for (const n of BATCHES) await bench(`batch${n}`, Math.max(1, Math.round(16 / n)), ["-f", batch(n)], n);
    await db.sql.exec("UPDATE outbox_event SET published_at = now() WHERE published_at IS NULL");
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(median(v), 1)]));
  const ratios = Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, round(v / summary["pgbench-N"]!, 3)]));
  const out = path.join(REPO_ROOT, "bench-results", "wallet-sql.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify({ benchmark: "wallet-sql", date: new Date().toISOString(), seconds: SECONDS, passes: PASSES, wallets: WALLETS, relayWeightPercent: RELAY_WEIGHT, perCallMicroseconds: perCallUs, runs: results, median: summary, ratioToPgbenchN: ratios }, null, 2) + "\n",
  );
  process.stdout.write(`${JSON.stringify({ median: summary, ratioToPgbenchN: ratios })}\nwritten to ${path.relative(REPO_ROOT, out)}\n`);
} finally {
  await db.sql.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
