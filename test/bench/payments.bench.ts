/**
 * npm run bench:payments — PSP notification handling in the payments service, against PostgreSQL.
 * Writes bench-results/payments.json.
 *
 *   services   the wallet and payments (their src/main.ts) forked, each in a schema of its own;
 *              payments is configured with a Stripe-compatible PSP whose webhook secret the
 *              benchmark holds (its API is never called: the payments are seeded)
 *   seed       BENCH_WALLETS wallets (default 2,000) by SQL; one PENDING card deposit per notification
 *              of the "succeeded" phase, by SQL, spread over the wallets
 *   floor      GET /healthz on payments at the same rate: what any HTTP call costs here
 *   succeeded  a signed payment_intent.succeeded per deposit, each once: verify the Stripe-Signature,
 *              record the notification, move the deposit under its row lock, credit the wallet
 *              (an HTTP call to the wallet's internal API) and answer
 *   replayed   the same notifications again: recognised as redeliveries, nothing moves
 *   forged     bodies with a wrong signature: refused with 400, nothing written
 * Each phase is an open loop at BENCH_RATE notifications/s (default 100) for BENCH_SECONDS (default
 * 15), latency measured from the scheduled start (no coordinated omission).
 *
 * Target (issue 7): notification handling p99 under 50 ms at a sustained rate on this 2-core machine.
 * Afterwards every deposit must have been credited exactly once (counted in the wallet's ledger).
 */
import { createHmac, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { Agent, request } from "undici";
import { generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import { generateSigningKeyPair } from "@casino/kernel/auth/tokens";
import { REPO_ROOT } from "@casino/kernel/supervisor";
import { genesisHash } from "@casino/wallet/ledger/rules";
import { RssSampler, forkService, freePort, openLoop, round, waitReady, type Recorder } from "./wallet-support.ts";

const DATABASE_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const WALLETS = Number(process.env.BENCH_WALLETS ?? 2_000);
const CURRENCY = "GBP";
const log = (msg: string) => process.stdout.write(`bench:payments ${msg}\n`);

const admin = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5_000 });
try {
  await admin.connect();
} catch (err) {
  process.stderr.write(`bench:payments needs PostgreSQL (DATABASE_URL=${DATABASE_URL}): ${(err as Error).message}\n`);
  process.exit(2);
}

const pid = process.pid;
const walletSchema = `bench_payments_wallet_${pid}`;
const paymentsSchema = `bench_payments_${pid}`;
const [walletPort, paymentsPort] = [await freePort(), await freePort()];
const serviceSecret = generateServiceTokenSecret();
const webhookSecret = `whsec_${randomUUID().replaceAll("-", "")}`;
const common = {
  PATH: process.env.PATH,
  LOG_LEVEL: "warn",
  DATABASE_URL,
  AUTH_JWT_PUBLIC_KEY: generateSigningKeyPair().publicKeyPem,
  SERVICE_TOKEN_SECRET: serviceSecret,
  DATA_DIR: path.join(REPO_ROOT, ".data", "bench"),
  APOLLO_TELEMETRY_DISABLED: "1",
};
const walletBase = `http://127.0.0.1:${walletPort}`;
const paymentsBase = `http://127.0.0.1:${paymentsPort}`;
const wallet = forkService(path.join(REPO_ROOT, "subgraphs/wallet/src/main.ts"), { ...common, WALLET_DATABASE_SCHEMA: walletSchema, WALLET_PORT: String(walletPort) }, undefined, REPO_ROOT);
const payments = forkService(
  path.join(REPO_ROOT, "subgraphs/payments/src/main.ts"),
  {
    ...common,
    PAYMENTS_DATABASE_SCHEMA: paymentsSchema,
    PAYMENTS_PORT: String(paymentsPort),
    WALLET_URL: walletBase,
    // Never asked: the deposits are seeded, not started.
    COMPLIANCE_URL: "http://127.0.0.1:9",
    STRIPE_API_URL: "http://127.0.0.1:9",
    STRIPE_API_KEY: "sk_test_bench_never_called",
    STRIPE_WEBHOOK_SECRETS: webhookSecret,
    PAYMENTS_CREDIT_SWEEP_MS: "3600000",
  },
  undefined,
  REPO_ROOT,
);
const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

interface Notification {
  body: string;
  paymentId: string;
}

const sign = (body: string) => {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac("sha256", webhookSecret).update(`${t}.${body}`).digest("hex")}`;
};

async function post(rec: Recorder, op: string, scheduledAt: number, body: string, signature: string, expected: number): Promise<void> {
  try {
    const res = await request(`${paymentsBase}/psp/stripe/notifications`, {
      method: "POST",
      dispatcher: agent,
      headers: { "content-type": "application/json", "stripe-signature": signature },
      body,
    });
    await res.body.text();
    if (res.statusCode !== expected) throw Object.assign(new Error(`status ${res.statusCode}`), { code: `HTTP_${res.statusCode}` });
    rec.add(op, performance.now() - scheduledAt);
  } catch (err) {
    rec.fail(op, err);
  }
}

async function healthz(rec: Recorder, scheduledAt: number): Promise<void> {
  try {
    const res = await request(`${paymentsBase}/healthz`, { dispatcher: agent });
    await res.body.text();
    rec.add("floor", performance.now() - scheduledAt);
  } catch (err) {
    rec.fail("floor", err);
  }
}

try {
  await Promise.all([waitReady(`${walletBase}/readyz`, wallet.child, 90_000), waitReady(`${paymentsBase}/readyz`, payments.child, 90_000)]).catch((err: unknown) => {
    throw new Error(`a service did not start: ${(err as Error).message}\n${wallet.lastLines().join("\n")}\n${payments.lastLines().join("\n")}`);
  });
  const rss = new RssSampler(payments.child.pid!, 200);
  log(`wallet and payments ready (schemas ${walletSchema}, ${paymentsSchema})`);

  // Seed: wallets, then one pending card deposit per notification of the "succeeded" phase.
  const players = Array.from({ length: WALLETS }, () => randomUUID());
  await admin.query(
    `INSERT INTO "${walletSchema}".wallet (player_id, default_currency, version, head_hash)
     SELECT p, $3, 0, h FROM unnest($1::uuid[], $2::text[]) AS t(p, h)`,
    [players, players.map(genesisHash), CURRENCY],
  );
  const total = Math.floor(RATE * SECONDS);
  const deposits = Array.from({ length: total }, (_, i) => ({ id: randomUUID(), playerId: players[i % players.length]!, pspReference: `pi_bench_${i}`, amountMinor: 1000 + (i % 9000) }));
  await admin.query(
    `INSERT INTO "${paymentsSchema}".payment (id, player_id, direction, status, amount_minor, currency, method, psp, psp_reference, idempotency_key, request_hash, updated_at)
     SELECT id, player_id, 'DEPOSIT', 'PENDING', amount, $5, 'card', 'stripe', ref, 'bench:' || id::text, 'bench', now()
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[]) AS t(id, player_id, ref, amount)`,
    [deposits.map((d) => d.id), deposits.map((d) => d.playerId), deposits.map((d) => d.pspReference), deposits.map((d) => d.amountMinor), CURRENCY],
  );
  log(`seeded ${WALLETS} wallets and ${total} pending deposits`);
  const notifications: Notification[] = deposits.map((d) => ({
    paymentId: d.id,
    body: JSON.stringify({
      id: `evt_bench_${d.id}`,
      object: "event",
      type: "payment_intent.succeeded",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: d.pspReference, object: "payment_intent", amount: d.amountMinor, currency: "gbp", status: "succeeded", metadata: { merchant_reference: d.id } } },
    }),
  }));

  // Warm-up: the JIT, the connection pools and the wallet's first credits (on other deposits).
  await openLoop(RATE, 2, (rec, at) => healthz(rec, at));

  const phases: Record<string, unknown> = {};
  const p99 = (name: string) => (phases[name] as { latencyMs: Record<string, { p99: number }> }).latencyMs[name]!.p99;
  const phase = async (name: string, iteration: (rec: Recorder, at: number, i: number) => Promise<void>) => {
    let i = 0;
    const result = await openLoop(RATE, SECONDS, (rec, at) => iteration(rec, at, i++));
    phases[name] = {
      ratePerSecond: result.ratePerSecond,
      seconds: round(result.durationSeconds, 2),
      completed: result.rec.count(name),
      dropped: result.dropped,
      errors: Object.fromEntries(result.rec.errors),
      latencyMs: result.rec.latency(),
    };
    log(`${name}: ${JSON.stringify(phases[name])}`);
  };

  await phase("floor", (rec, at) => healthz(rec, at));
  await phase("succeeded", (rec, at, i) => {
    const n = notifications[i % notifications.length]!;
    return post(rec, "succeeded", at, n.body, sign(n.body), 200);
  });
  await phase("replayed", (rec, at, i) => {
    const n = notifications[i % notifications.length]!;
    return post(rec, "replayed", at, n.body, sign(n.body), 200);
  });
  await phase("forged", (rec, at, i) => {
    const n = notifications[i % notifications.length]!;
    return post(rec, "forged", at, n.body, `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}`, 400);
  });

  // Exactly once: every deposit credited by one DEPOSIT transaction, none twice.
  const [{ credited, uncredited }] = (
    await admin.query<{ credited: string; uncredited: string }>(
      `SELECT count(*) FILTER (WHERE wallet_transaction_id IS NOT NULL)::text AS credited, count(*) FILTER (WHERE wallet_transaction_id IS NULL)::text AS uncredited FROM "${paymentsSchema}".payment`,
    )
  ).rows as [{ credited: string; uncredited: string }];
  const [{ transactions, distinctKeys }] = (
    await admin.query<{ transactions: string; distinctKeys: string }>(
      `SELECT count(*)::text AS transactions, count(DISTINCT idempotency_key)::text AS "distinctKeys" FROM "${walletSchema}".ledger_transaction WHERE type = 'DEPOSIT'`,
    )
  ).rows as [{ transactions: string; distinctKeys: string }];
  const exactlyOnce = { paymentsCredited: Number(credited), paymentsNotCredited: Number(uncredited), walletDeposits: Number(transactions), distinctDepositKeys: Number(distinctKeys) };
  log(`exactly once: ${JSON.stringify(exactlyOnce)}`);

  const summary = {
    succeededP50Ms: (phases.succeeded as { latencyMs: Record<string, { p50: number }> }).latencyMs.succeeded?.p50,
    succeededP99Ms: p99("succeeded"),
    replayedP99Ms: p99("replayed"),
    forgedP99Ms: p99("forged"),
    httpFloorP99Ms: p99("floor"),
    paymentsPeakRssMiB: rss.result().sampledPeakMiB,
  };
  const output = {
    benchmark: "payments",
    at: new Date().toISOString(),
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version },
    config: { seconds: SECONDS, ratePerSecond: RATE, wallets: WALLETS, database: "PostgreSQL" },
    phases,
    exactlyOnce,
    summary,
    targets: {
      notificationP99Under50ms: { p99Ms: summary.succeededP99Ms, pass: summary.succeededP99Ms < 50 },
      creditedExactlyOnce: {
        pass: exactlyOnce.walletDeposits === exactlyOnce.paymentsCredited && exactlyOnce.distinctDepositKeys === exactlyOnce.walletDeposits && exactlyOnce.paymentsNotCredited === 0,
      },
    },
  };
  fs.mkdirSync(path.join(REPO_ROOT, "bench-results"), { recursive: true });
  fs.writeFileSync(path.join(REPO_ROOT, "bench-results", "payments.json"), `${JSON.stringify(output, null, 2)}\n`);
  log(`summary ${JSON.stringify(summary)} targets ${JSON.stringify(output.targets)} -> bench-results/payments.json`);
} finally {
  await Promise.all([payments.stop(), wallet.stop()]);
  await agent.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${paymentsSchema}" CASCADE`).catch(() => undefined);
  await admin.query(`DROP SCHEMA IF EXISTS "${walletSchema}" CASCADE`).catch(() => undefined);
  await admin.end();
}
