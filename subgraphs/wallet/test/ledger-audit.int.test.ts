import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { Ledger } from "../src/ledger/ledger.ts";
import { walletService } from "../src/service.ts";
import { createWallet } from "./support/wallets.ts";

let svc: TestService<PrismaClient>;
let ledger: Ledger;
let finance: string;

const AUDIT = `{ ledgerAudit { ok checkedTransactions checkedAccounts checkedWallets mismatches { kind playerId transactionId accountId currency expected actual detail } } }`;
type Audit = { ledgerAudit: { ok: boolean; checkedTransactions: number; checkedWallets: number; mismatches: Array<{ kind: string; transactionId: string | null; accountId: string | null; actual: string | null }> } };
const audit = async () => {
  const res = await svc.graphql<Audit>(AUDIT, {}, finance);
  expect(res.errors).toBeUndefined();
  return res.data!.ledgerAudit;
};

let playerId: string;
let stakeId: string;

beforeAll(async () => {
  svc = await startTestService(walletService);
  ledger = new Ledger(svc.runtime.prisma, svc.runtime.db.sql, () => undefined);
  finance = await svc.tokens.staff(["finance"]);
  playerId = await createWallet(svc);
  const post = (type: "DEPOSIT" | "STAKE" | "WIN" | "BONUS_GRANT", amount: bigint, extra: object = {}) =>
    ledger.post({ type, playerId, currency: "GBP", amount, idempotencyKey: randomUUID(), counterRef: type === "DEPOSIT" ? "stripe" : "hub88", ...extra });
  await post("DEPOSIT", 1_000n);
  await post("BONUS_GRANT", 300n, { counterRef: "" });
  const stake = await post("STAKE", 1_200n, { reference: { roundId: "r-1", note: "multi\nline" } });
  stakeId = stake.id;
  await post("WIN", 2_400n, { refKey: stake.idempotencyKey });
});
afterAll(async () => {
  await svc.stop();
});

/** Edits the append-only ledger behind the application's back, as an attacker with database access could. */
async function tamper(sql: string, restore: string) {
  const prisma = svc.runtime.prisma;
  await prisma.$executeRawUnsafe(`ALTER TABLE ledger_transaction DISABLE TRIGGER ledger_transaction_append_only`);
  await prisma.$executeRawUnsafe(`ALTER TABLE posting DISABLE TRIGGER posting_append_only`);
  await prisma.$executeRawUnsafe(sql);
  return async () => {
    await prisma.$executeRawUnsafe(restore);
    await prisma.$executeRawUnsafe(`ALTER TABLE ledger_transaction ENABLE TRIGGER ledger_transaction_append_only`);
    await prisma.$executeRawUnsafe(`ALTER TABLE posting ENABLE TRIGGER posting_append_only`);
  };
}

describe("ledgerAudit", () => {
  it("passes on an untouched ledger, having checked every transaction and wallet", async () => {
    expect(await audit()).toMatchObject({ ok: true, checkedTransactions: 4, checkedWallets: 1, mismatches: [] });
  });

  it("finds an edited transaction amount through its hash and its postings", async () => {
    const undo = await tamper(`UPDATE ledger_transaction SET amount = amount - 1 WHERE id = '${stakeId}'`, `UPDATE ledger_transaction SET amount = amount + 1 WHERE id = '${stakeId}'`);
    const result = await audit();
    await undo();
    expect(result.ok).toBe(false);
    expect(result.mismatches.map((m) => m.kind)).toEqual(expect.arrayContaining(["HASH_CHAIN", "TRANSACTION_AMOUNTS"]));
    expect(result.mismatches.every((m) => m.transactionId === stakeId)).toBe(true);
    expect((await audit()).ok).toBe(true);
  });

  it("finds an edited reference, which only the hash covers", async () => {
    const undo = await tamper(
      `UPDATE ledger_transaction SET reference = '{"roundId": "r-2", "note": "multi\\nline"}' WHERE id = '${stakeId}'`,
      `UPDATE ledger_transaction SET reference = '{"roundId": "r-1", "note": "multi\\nline"}' WHERE id = '${stakeId}'`,
    );
    const result = await audit();
    await undo();
    expect(result.mismatches).toEqual([expect.objectContaining({ kind: "HASH_CHAIN", transactionId: stakeId })]);
    expect((await audit()).ok).toBe(true);
  });

  it("finds a posting moved out of balance", async () => {
    const undo = await tamper(
      `UPDATE posting SET amount = amount + 5 WHERE transaction_id = '${stakeId}' AND account_id IN (SELECT id FROM account WHERE player_id IS NULL)`,
      `UPDATE posting SET amount = amount - 5 WHERE transaction_id = '${stakeId}' AND account_id IN (SELECT id FROM account WHERE player_id IS NULL)`,
    );
    const result = await audit();
    await undo();
    expect(result.mismatches.map((m) => m.kind)).toEqual(expect.arrayContaining(["UNBALANCED_TRANSACTION", "CURRENCY_TOTAL", "HASH_CHAIN"]));
    expect((await audit()).ok).toBe(true);
  });

  it("reports sums beyond 64 bits as mismatches instead of failing on an overflow", async () => {
    const prisma = svc.runtime.prisma;
    const legs = await prisma.$queryRawUnsafe<Array<{ transaction_id: string; account_id: string; amount: bigint }>>(
      `SELECT transaction_id::text, account_id::text, amount FROM posting WHERE account_id IN (SELECT id FROM account WHERE player_id IS NULL)`,
    );
    // Every operator leg near the top of BIGINT: one account's postings and the currency's total then pass 2^63.
    expect(legs.length).toBeGreaterThanOrEqual(2);
    const huge = 9_000_000_000_000_000_000n;
    const values = legs.map((l) => `('${l.transaction_id}'::uuid, '${l.account_id}'::uuid, ${l.amount}::bigint)`).join(", ");
    const restore = `UPDATE posting p SET amount = v.amount FROM (VALUES ${values}) AS v(transaction_id, account_id, amount) WHERE p.transaction_id = v.transaction_id AND p.account_id = v.account_id`;
    const undo = await tamper(`UPDATE posting SET amount = ${huge} WHERE account_id IN (SELECT id FROM account WHERE player_id IS NULL)`, restore);
    let result: Awaited<ReturnType<typeof audit>>;
    try {
      result = await audit();
    } finally {
      await undo();
    }
    expect(result.ok).toBe(false);
    const total = result.mismatches.find((m) => m.kind === "CURRENCY_TOTAL");
    expect(BigInt(total!.actual!)).toBeGreaterThan(2n ** 63n);
    expect(result.mismatches.map((m) => m.kind)).toEqual(expect.arrayContaining(["UNBALANCED_TRANSACTION", "CURRENCY_TOTAL", "HASH_CHAIN"]));
    expect((await audit()).ok).toBe(true);
  });

  it("finds a balance projection that differs from its postings", async () => {
    const undo = await tamper(
      `UPDATE account SET balance = balance + 100 WHERE player_id = '${playerId}' AND type = 'PLAYER_CASH'`,
      `UPDATE account SET balance = balance - 100 WHERE player_id = '${playerId}' AND type = 'PLAYER_CASH'`,
    );
    const result = await audit();
    await undo();
    expect(result.mismatches.map((m) => m.kind)).toEqual(["ACCOUNT_BALANCE", "ACCOUNT_BALANCE"]);
    expect((await audit()).ok).toBe(true);
  });

  it("finds a wallet whose version was wound back", async () => {
    const undo = await tamper(`UPDATE wallet SET version = version - 1 WHERE player_id = '${playerId}'`, `UPDATE wallet SET version = version + 1 WHERE player_id = '${playerId}'`);
    const result = await audit();
    await undo();
    expect(result.mismatches.map((m) => m.kind)).toEqual(["WALLET_HEAD"]);
  });

  it("is for finance and compliance staff only", async () => {
    const player = await svc.graphql(AUDIT, {}, await svc.tokens.player(playerId));
    expect(player.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const support = await svc.graphql(AUDIT, {}, await svc.tokens.staff(["support"]));
    expect(support.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const compliance = await svc.graphql<Audit>(AUDIT, {}, await svc.tokens.staff(["compliance"]));
    expect(compliance.data?.ledgerAudit.ok).toBe(true);
  });
});
