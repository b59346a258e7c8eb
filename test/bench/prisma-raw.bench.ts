/**
 * What Prisma costs the wallet per call, next to the kernel's raw node-postgres pool, on the same
 * database (a scratch schema migrated with the wallet's migrations, 1,000 funded wallets):
 *
 *   select1        SELECT 1                                   ($queryRaw vs pool.query)
 *   ledgerPost     SELECT * FROM ledger_post('STAKE', ...)    ($queryRaw vs pool.query), as Ledger.post
 *   balance        the internal API's balance read: wallet.findUnique + account.findMany in parallel
 *                  (Prisma, two round trips) vs one SQL statement over both tables (pool.query)
 *
 * Sequential calls (one at a time): wall and CPU (user+system of this process) microseconds per call,
 * best of three rounds; then SELECT 1 with 16 in flight for 3 s each. Writes bench-results/prisma-raw.json.
 *
 *   node --import tsx test/bench/prisma-raw.bench.ts
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@casino/kernel/db/database";
import { migrate } from "@casino/kernel/db/migrator";
import { REPO_ROOT } from "@casino/kernel/supervisor";
import { PrismaClient } from "@casino/wallet/generated/prisma/client";
import { requestHash, type LedgerCommand } from "@casino/wallet/ledger/rules";
import { round } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const N = Number(process.env.BENCH_CALLS ?? 2_000);
const schema = `bench_prisma_${process.pid}`;
const db = await openDatabase({ url: DATABASE_URL, schema, dataDir: "unused", poolSize: 16 });
const prisma = new PrismaClient({ adapter: db.prismaAdapter });
try {
  await migrate(db.sql, path.join(REPO_ROOT, "prisma", "wallet", "migrations"));
  await db.sql.exec(`
    INSERT INTO wallet (player_id, default_currency, version, head_hash)
      SELECT gen_random_uuid(), 'GBP', 0, 'x' FROM generate_series(1, 1000);
    SELECT count(*) FROM wallet w, LATERAL ledger_post('DEPOSIT', w.player_id, 'GBP', 'fund-' || w.player_id, 'x', 100000000, NULL, 'bench-psp', '{}') p;`);
  const ids = (await db.sql.query<{ id: string }>(`SELECT player_id::text AS id FROM wallet`)).map((r) => r.id);
  const pick = () => ids[(Math.random() * ids.length) | 0]!;
  const stake = (): { cmd: LedgerCommand; hash: string } => {
    const cmd: LedgerCommand = { type: "STAKE", playerId: pick(), currency: "GBP", amount: 100n, idempotencyKey: randomUUID(), refKey: null, counterRef: "bench-provider", reference: {} };
    return { cmd, hash: requestHash(cmd) };
  };

  const cases: Record<string, () => Promise<unknown>> = {
    "select1.pg": () => db.sql.query("SELECT 1 AS one"),
    "select1.prisma": () => prisma.$queryRaw`SELECT 1 AS one`,
    "ledgerPost.pg": () => {
      const { cmd, hash } = stake();
      return db.sql.query(`SELECT * FROM ledger_post($1::"TransactionType", $2::uuid, $3, $4, $5, $6, $7, $8, $9::jsonb)`, [
        cmd.type, cmd.playerId, cmd.currency, cmd.idempotencyKey, hash, cmd.amount, cmd.refKey, cmd.counterRef, "{}",
      ]);
    },
    "ledgerPost.prisma": () => {
      const { cmd, hash } = stake();
      return prisma.$queryRaw`SELECT * FROM ledger_post(${cmd.type}::"TransactionType", ${cmd.playerId}::uuid, ${cmd.currency}, ${cmd.idempotencyKey},
          ${hash}, ${cmd.amount}, ${cmd.refKey ?? null}, ${cmd.counterRef ?? ""}, ${JSON.stringify(cmd.reference ?? {})}::jsonb)`;
    },
    "balance.prisma(2 queries)": () => {
      const playerId = pick();
      return Promise.all([
        prisma.wallet.findUnique({ where: { playerId }, select: { version: true } }),
        prisma.account.findMany({ where: { playerId, currency: "GBP" }, select: { type: true, balance: true } }),
      ]);
    },
    "balance.pg(1 query)": () =>
      db.sql.query(
        `SELECT w.version, a.type, a.balance FROM wallet w LEFT JOIN account a ON a.player_id = w.player_id AND a.currency = $2::CHAR(3) WHERE w.player_id = $1::uuid`,
        [pick(), "GBP"],
      ),
  };

  const sequential: Record<string, { wallUs: number; cpuUs: number }> = {};
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < 200; i++) await fn();
    let best = { wallUs: Infinity, cpuUs: Infinity };
    for (let r = 0; r < 3; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await fn();
      const wallUs = ((performance.now() - t0) * 1000) / N;
      const cpu = process.cpuUsage(cpu0);
      const cpuUs = (cpu.user + cpu.system) / N;
      if (cpuUs < best.cpuUs) best = { wallUs: round(wallUs, 1), cpuUs: round(cpuUs, 1) };
    }
    sequential[name] = best;
    process.stdout.write(`${name.padEnd(28)} ${String(best.wallUs).padStart(8)} µs wall  ${String(best.cpuUs).padStart(7)} µs CPU per call\n`);
  }

  const concurrent: Record<string, { callsPerSecond: number; cpuUsPerCall: number }> = {};
  for (const name of ["select1.pg", "select1.prisma"]) {
    const fn = cases[name]!;
    let calls = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const deadline = t0 + 3_000;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() < deadline) {
          await fn();
          calls++;
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    concurrent[name] = { callsPerSecond: round(calls / secs, 0), cpuUsPerCall: round((cpu.user + cpu.system) / calls, 1) };
    process.stdout.write(`${name.padEnd(28)} 16 in flight: ${concurrent[name]!.callsPerSecond}/s, ${concurrent[name]!.cpuUsPerCall} µs CPU per call\n`);
  }

  const out = path.join(REPO_ROOT, "bench-results", "prisma-raw.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ benchmark: "prisma-raw", date: new Date().toISOString(), callsPerRound: N, sequential, concurrent }, null, 2) + "\n");
  process.stdout.write(`written to ${path.relative(REPO_ROOT, out)}\n`);
} finally {
  await prisma.$disconnect();
  await db.sql.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await db.close();
}
