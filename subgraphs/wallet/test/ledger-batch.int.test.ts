import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import { INT64_MAX } from "@casino/kernel/money";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { GraphQLError } from "graphql";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { auditLedger } from "../src/ledger/audit.ts";
import { Ledger, type PostedTransaction } from "../src/ledger/ledger.ts";
import type { LedgerCommand } from "../src/ledger/rules.ts";
import { walletService } from "../src/service.ts";
import { createWallet } from "./support/wallets.ts";

/**
 * Group commit (src/ledger/post-queue.ts): commands that arrive while a statement is running share
 * the next one (ledger_post_batch()). Each must get exactly the answer it gets when the same
 * commands are posted one after another, batched or not, on PGlite and on PostgreSQL.
 */
let svc: TestService<PrismaClient>;
let statements: string[];
/** One statement at a time, so that everything posted together while it runs goes in one batch. */
let batching: Ledger;
let serial: Ledger;

beforeAll(async () => {
  svc = await startTestService(walletService);
  const sql = svc.runtime.db.sql;
  statements = [];
  const recording: SqlExecutor = {
    dialect: sql.dialect,
    query: (text, params) => (statements.push(text), sql.query(text, params)),
    exec: (text) => sql.exec(text),
    transaction: (fn) => sql.transaction(fn),
  };
  batching = new Ledger(svc.runtime.prisma, recording, () => undefined, { maxInFlight: 1, maxBatch: 100 });
  serial = new Ledger(svc.runtime.prisma, sql, () => undefined, { maxInFlight: 1, maxBatch: 1 });
});
afterAll(async () => {
  await svc.stop();
});

type Answer = { ok: true; tx: Omit<PostedTransaction, "id" | "seq" | "createdAt" | "idempotencyKey" | "refKey" | "playerId"> } | { ok: false; code: unknown; extensions: unknown };

/** What a caller can see of an answer, without what differs between two runs (ids, keys, times). */
const answerOf = (p: Promise<PostedTransaction>): Promise<Answer> =>
  p.then(
    ({ id: _id, seq: _seq, createdAt: _c, idempotencyKey: _k, refKey: _r, playerId: _p, ...tx }) => ({ ok: true, tx }),
    (err: GraphQLError) => ({ ok: false, code: err.extensions?.code ?? String(err), extensions: err.extensions }),
  );

/** A mix of every rule that depends on what came before in the same wallet. */
function script(playerId: string, other: string, k: (name: string) => string): LedgerCommand[] {
  const g = { playerId, currency: "GBP", counterRef: "hub88" };
  return [
    { ...g, type: "DEPOSIT", amount: 1_000n, idempotencyKey: k("dep"), counterRef: "stripe" },
    { ...g, type: "BONUS_GRANT", amount: 500n, idempotencyKey: k("bonus"), counterRef: "" },
    { ...g, type: "STAKE", amount: 1_200n, idempotencyKey: k("s1") }, // cash first, then bonus
    { ...g, type: "STAKE", amount: 1_200n, idempotencyKey: k("s1") }, // replay in the same batch
    { ...g, type: "STAKE", amount: 1_300n, idempotencyKey: k("s1") }, // same key, other inputs
    { ...g, type: "WIN", amount: 601n, idempotencyKey: k("w1"), refKey: k("s1") }, // split as the stake was funded
    { ...g, type: "STAKE", amount: 200n, idempotencyKey: k("s2") },
    { ...g, type: "ROLLBACK", amount: 0n, idempotencyKey: k("rb2"), refKey: k("s2") },
    { ...g, type: "ROLLBACK", amount: 0n, idempotencyKey: k("rb2b"), refKey: k("s2") }, // second rollback of one stake
    { ...g, type: "WIN", amount: 5n, idempotencyKey: k("w2"), refKey: k("s2") }, // win of a rolled-back stake
    { ...g, type: "ROLLBACK", amount: 0n, idempotencyKey: k("rb3"), refKey: k("s3") }, // tombstone first
    { ...g, type: "STAKE", amount: 10n, idempotencyKey: k("s3") }, // the late stake is refused
    { ...g, type: "STAKE", amount: 100_000n, idempotencyKey: k("s4") }, // insufficient funds
    { ...g, type: "WITHDRAWAL_RESERVE", amount: 300n, idempotencyKey: k("res"), counterRef: "trustly" },
    { ...g, type: "WITHDRAWAL_COMMIT", amount: 200n, idempotencyKey: k("com"), refKey: k("res"), counterRef: "trustly" },
    { ...g, type: "WITHDRAWAL_VOID", amount: 0n, idempotencyKey: k("void"), refKey: k("res"), counterRef: "trustly" }, // already settled
    { ...g, type: "STAKE", amount: 1n, idempotencyKey: k("s5"), playerId: other }, // another wallet in the batch
    { ...g, type: "STAKE", amount: 1n, idempotencyKey: k("s1"), playerId: other }, // a key of this wallet, for another player
    { ...g, type: "WIN", amount: 1n, idempotencyKey: k("w5"), refKey: k("s5") }, // a stake of another player
    { ...g, type: "MANUAL_ADJUSTMENT", amount: -5n, idempotencyKey: k("adj"), counterRef: "" },
  ];
}

async function fundedPair(): Promise<[string, string]> {
  const [a, b] = [await createWallet(svc), await createWallet(svc)];
  await serial.post({ type: "DEPOSIT", playerId: b, currency: "GBP", amount: 100n, idempotencyKey: randomUUID(), counterRef: "stripe" });
  return [a, b];
}

describe("group commit", () => {
  it("answers every command of a batch exactly as posting them one after another does", async () => {
    const [a1, b1] = await fundedPair();
    const run1 = randomUUID();
    const one: Answer[] = [];
    for (const cmd of script(a1, b1, (n) => `${run1}-${n}`)) one.push(await answerOf(serial.post(cmd)));

    const [a2, b2] = await fundedPair();
    const run2 = randomUUID();
    statements.length = 0;
    const together = await Promise.all(script(a2, b2, (n) => `${run2}-${n}`).map((cmd) => answerOf(batching.post(cmd))));

    // The first command found the queue idle and went alone; the other 19 shared one statement.
    expect(statements.filter((s) => s.includes("ledger_post_batch"))).toHaveLength(1);
    expect(statements).toHaveLength(2);
    expect(together).toEqual(one);
    expect(one.filter((a) => !a.ok).map((a) => (a as { code: unknown }).code)).toEqual([
      "IDEMPOTENCY_KEY_REUSED",
      "TRANSACTION_ROLLED_BACK",
      "TRANSACTION_ROLLED_BACK",
      "TRANSACTION_ROLLED_BACK",
      "INSUFFICIENT_FUNDS",
      "ALREADY_SETTLED",
      "IDEMPOTENCY_KEY_REUSED",
      "TRANSACTION_NOT_FOUND",
    ]);
    expect(together[3]).toMatchObject({ ok: true, tx: { replayed: true } });
  });

  it("posts the commands of a failed batch one by one, each with its own answer", async () => {
    const [a, b] = await fundedPair();
    await serial.post({ type: "DEPOSIT", playerId: b, currency: "GBP", amount: INT64_MAX - 1_000n, idempotencyKey: randomUUID(), counterRef: "psp-at-the-limit" });
    const run = randomUUID();
    const cmds: LedgerCommand[] = [
      { type: "DEPOSIT", playerId: a, currency: "GBP", amount: 50n, idempotencyKey: `${run}-0`, counterRef: "stripe" },
      { type: "DEPOSIT", playerId: a, currency: "GBP", amount: 70n, idempotencyKey: `${run}-1`, counterRef: "stripe" },
      // Beyond 64 bits: the statement fails, and with it the whole batch.
      { type: "DEPOSIT", playerId: b, currency: "GBP", amount: 5_000n, idempotencyKey: `${run}-2`, counterRef: "stripe" },
      { type: "STAKE", playerId: a, currency: "GBP", amount: 100n, idempotencyKey: `${run}-3`, counterRef: "hub88" },
      { type: "STAKE", playerId: a, currency: "GBP", amount: 100n, idempotencyKey: `${run}-3`, counterRef: "hub88" },
    ];
    statements.length = 0;
    const answers = await Promise.all(cmds.map((cmd) => answerOf(batching.post(cmd))));
    expect(statements.filter((s) => s.includes("ledger_post_batch"))).toHaveLength(1);
    expect(answers.map((x) => (x.ok ? x.tx.balanceAfter : x.code))).toEqual([50n, 120n, "BAD_USER_INPUT", 20n, 20n]);
    expect(answers.map((x) => x.ok && x.tx.replayed)).toEqual([false, false, false, false, true]);
    expect(await svc.runtime.prisma.ledgerTransaction.count({ where: { playerId: a } })).toBe(3);
  });

  it("applies a key raced by two players in one batch once, and refuses the other", async () => {
    const [a, b] = await fundedPair();
    await serial.post({ type: "DEPOSIT", playerId: a, currency: "GBP", amount: 100n, idempotencyKey: randomUUID(), counterRef: "stripe" });
    const key = `shared-${randomUUID()}`;
    const stake = (playerId: string): LedgerCommand => ({ type: "STAKE", playerId, currency: "GBP", amount: 10n, idempotencyKey: key, counterRef: "hub88" });
    const blocker = batching.post({ type: "STAKE", playerId: a, currency: "GBP", amount: 1n, idempotencyKey: randomUUID(), counterRef: "hub88" });
    const answers = await Promise.all([stake(a), stake(b), stake(a), stake(b)].map((cmd) => answerOf(batching.post(cmd))));
    await blocker;
    expect(answers.map((x) => (x.ok ? (x.tx.replayed ? "REPLAY" : "OK") : x.code))).toEqual(["OK", "IDEMPOTENCY_KEY_REUSED", "REPLAY", "IDEMPOTENCY_KEY_REUSED"]);
  });

  it("leaves a ledger the audit finds whole", async () => {
    const result = await auditLedger(svc.runtime.prisma);
    expect(result.mismatches).toEqual([]);
    expect(result.ok).toBe(true);
  });
});
