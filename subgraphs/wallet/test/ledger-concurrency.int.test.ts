import { randomUUID } from "node:crypto";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { WalletClient, type WalletApiError } from "@casino/wallet-client";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { auditLedger } from "../src/ledger/audit.ts";
import { walletService } from "../src/service.ts";
import { countTransactions, createWallet, walletBaseUrl } from "./support/wallets.ts";

/**
 * Races through the internal API, as the RGS layer would send them. Against PostgreSQL (the CI's
 * second pass) the requests really run in parallel on a pool of connections; embedded, PGlite
 * serialises them, and the same answers are required.
 */
let svc: TestService<PrismaClient>;
let games: WalletClient;
let payments: WalletClient;

beforeAll(async () => {
  svc = await startTestService(walletService);
  const opts = { baseUrl: walletBaseUrl(svc), serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, attempts: 1, connections: 200, timeoutMs: 60_000 };
  games = new WalletClient({ ...opts, caller: "games" });
  payments = new WalletClient({ ...opts, caller: "payments" });
});
afterAll(async () => {
  await Promise.all([games.close(), payments.close()]);
  await svc.stop();
});

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe("concurrent commands on one wallet", () => {
  it("lets exactly N of 200 concurrent stakes through when the balance allows exactly N", async () => {
    const playerId = await createWallet(svc);
    const N = 73;
    await payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: String(N * 125), idempotencyKey: `fund-${playerId}`, counterRef: "stripe" });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        settle(games.post({ type: "STAKE", playerId, currency: "GBP", amount: "125", idempotencyKey: `race-${playerId}-${i}`, counterRef: "hub88" })),
      ),
    );
    const ok = results.filter((r) => r.ok);
    const refused = results.flatMap((r) => (r.ok ? [] : [r.error]));
    expect(ok).toHaveLength(N);
    expect(refused).toHaveLength(200 - N);
    for (const err of refused) expect(err).toMatchObject({ code: "INSUFFICIENT_FUNDS", status: 422 });
    expect(await games.balance(playerId, "GBP")).toMatchObject({ cash: "0", walletVersion: String(N + 1) });
    // Every successful stake saw a distinct balance: the wallet row lock serialised them.
    const balances = new Set(ok.map((r) => (r.ok ? r.value.cashBalance : "")));
    expect(balances.size).toBe(N);
    expect(await countTransactions(svc, playerId)).toBe(N + 1);
  }, 120_000);

  it("books one transaction when 200 replays of one key race, and answers every one with it", async () => {
    const playerId = await createWallet(svc);
    await payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: "10000", idempotencyKey: `fund-${playerId}`, counterRef: "stripe" });
    const key = `replay-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 200 }, () => games.post({ type: "STAKE", playerId, currency: "GBP", amount: "500", idempotencyKey: key, counterRef: "hub88" })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.every((r) => r.cashBalance === "9500")).toBe(true);
    expect(await countTransactions(svc, playerId)).toBe(2);
    expect((await games.balance(playerId, "GBP")).cash).toBe("9500");
  }, 120_000);

  it("applies a key once when it races for two different players, and refuses the other", async () => {
    const [a, b] = [await createWallet(svc), await createWallet(svc)];
    for (const p of [a, b]) await payments.post({ type: "DEPOSIT", playerId: p, currency: "GBP", amount: "1000", idempotencyKey: `fund-${p}`, counterRef: "stripe" });
    const key = `shared-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => settle(games.post({ type: "STAKE", playerId: i % 2 ? a : b, currency: "GBP", amount: "100", idempotencyKey: key, counterRef: "hub88" }))),
    );
    const winners = new Set(results.flatMap((r) => (r.ok ? [r.value.playerId] : [])));
    expect(winners.size).toBe(1);
    const refused = results.flatMap((r) => (r.ok ? [] : [(r.error as WalletApiError).code]));
    expect(refused).toEqual(Array.from({ length: 20 }, () => "IDEMPOTENCY_KEY_REUSED"));
    expect((await countTransactions(svc, a)) + (await countTransactions(svc, b))).toBe(3);
  }, 120_000);

  it("rolls a stake back exactly once when its rollback and its win race under many retries", async () => {
    const playerId = await createWallet(svc);
    await payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: "1000", idempotencyKey: `fund-${playerId}`, counterRef: "stripe" });
    const stakeKey = `s-${randomUUID()}`;
    await games.post({ type: "STAKE", playerId, currency: "GBP", amount: "400", idempotencyKey: stakeKey, counterRef: "hub88" });
    const rollback = () => games.post({ type: "ROLLBACK", playerId, currency: "GBP", amount: "0", idempotencyKey: `rb-${stakeKey}`, refKey: stakeKey, counterRef: "hub88" });
    const win = () => games.post({ type: "WIN", playerId, currency: "GBP", amount: "900", idempotencyKey: `w-${stakeKey}`, refKey: stakeKey, counterRef: "hub88" });
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => settle(i % 2 ? rollback() : win())));
    const winApplied = results.some((r) => r.ok && r.value.type === "WIN");
    const balance = (await games.balance(playerId, "GBP")).cash;
    // Either the win landed before the rollback (both apply), or the rollback came first and every win is refused.
    expect(balance).toBe(winApplied ? "1900" : "1000");
    expect(results.filter((r) => r.ok && r.value.type === "ROLLBACK")).toHaveLength(30);
    const audit = await auditLedger(svc.runtime.prisma);
    expect(audit).toMatchObject({ ok: true, mismatches: [] });
  }, 120_000);
});
