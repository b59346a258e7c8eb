import { randomUUID } from "node:crypto";
import { ServiceTokenSigner, generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { WalletApiError, WalletClient, type WalletCommand } from "@casino/wallet-client";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { walletService } from "../src/service.ts";
import { countTransactions, createWallet, walletBaseUrl } from "./support/wallets.ts";

let svc: TestService<PrismaClient>;
let games: WalletClient;
let payments: WalletClient;

beforeAll(async () => {
  svc = await startTestService(walletService);
  const opts = { baseUrl: walletBaseUrl(svc), serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, attempts: 1 };
  games = new WalletClient({ ...opts, caller: "games" });
  payments = new WalletClient({ ...opts, caller: "payments" });
});
afterAll(async () => {
  await Promise.all([games.close(), payments.close()]);
  await svc.stop();
});

const key = () => `k-${randomUUID()}`;
const deposit = (playerId: string, amount: string, currency = "GBP") =>
  payments.post({ type: "DEPOSIT", playerId, currency, amount, idempotencyKey: key(), counterRef: "stripe" });
const stake = (playerId: string, amount: string, idempotencyKey = key(), currency = "GBP") =>
  games.post({ type: "STAKE", playerId, currency, amount, idempotencyKey, counterRef: "hub88", reference: { roundId: "r-1", gameId: "g-1" } });

async function refusal(call: Promise<unknown>): Promise<WalletApiError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WalletApiError);
  return err as WalletApiError;
}

describe("a game round through the internal API", () => {
  it("debits the stake, credits the win and reports balances in minor units", async () => {
    const playerId = await createWallet(svc);
    await deposit(playerId, "1000");
    const s = await stake(playerId, "250");
    expect(s).toMatchObject({ type: "STAKE", cashAmount: "-250", cashBalance: "750", walletVersion: "2", replayed: false });
    const w = await games.post({ type: "WIN", playerId, currency: "GBP", amount: "600", idempotencyKey: key(), refKey: s.idempotencyKey, counterRef: "hub88" });
    expect(w).toMatchObject({ cashAmount: "600", cashBalance: "1350", refKey: s.idempotencyKey, walletVersion: "3" });
    expect(await games.balance(playerId, "GBP")).toEqual({ playerId, currency: "GBP", cash: "1350", bonus: "0", reserved: "0", walletVersion: "3" });
  });

  it("returns the first result for a replayed stake and moves no money twice", async () => {
    const playerId = await createWallet(svc);
    await deposit(playerId, "1000");
    const k = key();
    const first = await stake(playerId, "100", k);
    const again = await stake(playerId, "100", k);
    expect(again).toEqual({ ...first, replayed: true });
    expect((await games.balance(playerId, "GBP")).cash).toBe("900");
    expect((await refusal(stake(playerId, "101", k))).code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("records a rollback that arrives before its stake and refuses the late stake and its win", async () => {
    const playerId = await createWallet(svc);
    await deposit(playerId, "500");
    const stakeKey = key();
    const rb = await games.post({ type: "ROLLBACK", playerId, currency: "GBP", amount: "0", idempotencyKey: key(), refKey: stakeKey, counterRef: "hub88" });
    expect(rb).toMatchObject({ cashAmount: "0", cashBalance: "500" });
    const late = await refusal(stake(playerId, "100", stakeKey));
    expect(late).toMatchObject({ code: "TRANSACTION_ROLLED_BACK", status: 409 });
    expect(late.details?.cashBalance).toBe("500");
    const win = await refusal(games.post({ type: "WIN", playerId, currency: "GBP", amount: "5", idempotencyKey: key(), refKey: stakeKey, counterRef: "hub88" }));
    expect(win.code).toBe("TRANSACTION_NOT_FOUND");
    expect((await games.balance(playerId, "GBP")).cash).toBe("500");
  });

  it("reverses a stake exactly once", async () => {
    const playerId = await createWallet(svc);
    await deposit(playerId, "500");
    const s = await stake(playerId, "200");
    const rollback = (k: string) => games.post({ type: "ROLLBACK", playerId, currency: "GBP", amount: "0", idempotencyKey: k, refKey: s.idempotencyKey, counterRef: "hub88" });
    const rk = key();
    expect(await rollback(rk)).toMatchObject({ cashAmount: "200", cashBalance: "500" });
    expect((await rollback(rk)).replayed).toBe(true);
    expect((await refusal(rollback(key()))).code).toBe("TRANSACTION_ROLLED_BACK");
    expect((await games.balance(playerId, "GBP")).cash).toBe("500");
  });
});

describe("withdrawals through the internal API", () => {
  it("reserves, partly commits and releases the rest, exactly once", async () => {
    const playerId = await createWallet(svc);
    await deposit(playerId, "1000");
    const reserve = await payments.post({ type: "WITHDRAWAL_RESERVE", playerId, currency: "GBP", amount: "800", idempotencyKey: key(), counterRef: "trustly" });
    expect(reserve).toMatchObject({ cashBalance: "200", reservedBalance: "800" });
    expect((await refusal(stake(playerId, "201"))).code).toBe("INSUFFICIENT_FUNDS");
    const commit = await payments.post({ type: "WITHDRAWAL_COMMIT", playerId, currency: "GBP", amount: "750", idempotencyKey: key(), refKey: reserve.idempotencyKey, counterRef: "trustly" });
    expect(commit).toMatchObject({ cashBalance: "250", reservedBalance: "0", reservedAmount: "-800" });
    const voided = await refusal(payments.post({ type: "WITHDRAWAL_VOID", playerId, currency: "GBP", amount: "0", idempotencyKey: key(), refKey: reserve.idempotencyKey, counterRef: "trustly" }));
    expect(voided.code).toBe("ALREADY_SETTLED");
  });
});

describe("service authentication and permissions", () => {
  const command = (playerId: string): WalletCommand => ({ type: "DEPOSIT", playerId, currency: "GBP", amount: "100", idempotencyKey: key(), counterRef: "stripe" });

  it("refuses a request without a service token", async () => {
    const res = await fetch(`${walletBaseUrl(svc)}/internal/wallet/v1/transactions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(command(randomUUID())) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
  });

  it("refuses a token signed with another secret, and a player's access token", async () => {
    const forged = await new ServiceTokenSigner(generateServiceTokenSecret(), "payments", "wallet").token();
    for (const token of [forged, await svc.tokens.player()]) {
      const res = await fetch(`${walletBaseUrl(svc)}/internal/wallet/v1/transactions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(command(randomUUID())),
      });
      expect(res.status).toBe(401);
    }
  });

  it("lets each service post only its own kinds of transaction", async () => {
    const playerId = await createWallet(svc);
    expect((await refusal(games.post(command(playerId)))).code).toBe("FORBIDDEN");
    expect((await refusal(payments.post({ ...command(playerId), type: "STAKE", counterRef: "hub88" }))).code).toBe("FORBIDDEN");
    const player = new WalletClient({ baseUrl: walletBaseUrl(svc), serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "player", attempts: 1 });
    expect((await refusal(player.post(command(playerId)))).code).toBe("FORBIDDEN");
    await player.close();
    expect(await countTransactions(svc, playerId)).toBe(0);
  });
});

describe("bad input: a clear error and nothing written", () => {
  let playerId: string;
  beforeAll(async () => {
    playerId = await createWallet(svc);
    await deposit(playerId, "1000");
  });

  it.each<[string, Partial<WalletCommand>, string, string?]>([
    ["a zero deposit", { amount: "0" }, "BAD_USER_INPUT", "amount"],
    ["a negative deposit", { amount: "-5" }, "BAD_USER_INPUT", "amount"],
    ["a fractional minor unit", { amount: "10.5" }, "BAD_USER_INPUT", "amount"],
    ["an amount in major units with a decimal point", { amount: "1.00" }, "BAD_USER_INPUT", "amount"],
    ["an amount beyond 64 bits", { amount: "9223372036854775808" }, "BAD_USER_INPUT", "amount"],
    ["an amount as a JSON number", { amount: 100 as unknown as string }, "BAD_USER_INPUT", "amount"],
    ["an unknown currency", { currency: "ABC" }, "BAD_USER_INPUT", "currency"],
    ["a malformed idempotency key", { idempotencyKey: "no spaces allowed" }, "BAD_USER_INPUT", "idempotencyKey"],
    ["an unknown type", { type: "GIFT" as WalletCommand["type"] }, "BAD_USER_INPUT", "type"],
    ["a player id that is no UUID", { playerId: "player-1" }, "BAD_USER_INPUT", "playerId"],
  ])("%s", async (_name, overrides, code, field) => {
    const before = await countTransactions(svc, playerId);
    const err = await refusal(payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: "100", idempotencyKey: key(), counterRef: "stripe", ...overrides }));
    expect(err).toMatchObject({ code, status: 400 });
    expect(err.details?.field).toBe(field);
    expect(await countTransactions(svc, playerId)).toBe(before);
  });

  it("a credit that would take the balance beyond 64 bits", async () => {
    const rich = await createWallet(svc);
    await deposit(rich, "9223372036854775000");
    const err = await refusal(deposit(rich, "1000"));
    expect(err).toMatchObject({ code: "BAD_USER_INPUT", status: 400 });
    expect((await games.balance(rich, "GBP")).cash).toBe("9223372036854775000");
  });

  it("an unknown wallet", async () => {
    expect(await refusal(deposit(randomUUID(), "100"))).toMatchObject({ code: "NOT_FOUND", status: 404 });
  });

  it("a win in another currency than its stake", async () => {
    const s = await stake(playerId, "10");
    const before = await countTransactions(svc, playerId);
    const err = await refusal(games.post({ type: "WIN", playerId, currency: "EUR", amount: "10", idempotencyKey: key(), refKey: s.idempotencyKey, counterRef: "hub88" }));
    expect(err.code).toBe("TRANSACTION_NOT_FOUND");
    expect(await countTransactions(svc, playerId)).toBe(before);
  });

  it("a stake in a currency the player holds no money in", async () => {
    const err = await refusal(stake(playerId, "10", key(), "EUR"));
    expect(err).toMatchObject({ code: "INSUFFICIENT_FUNDS", status: 422 });
    expect(err.details?.cashBalance).toBe("0");
  });

  it("a body that is not JSON", async () => {
    const token = await new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, "payments", "wallet").token();
    const res = await fetch(`${walletBaseUrl(svc)}/internal/wallet/v1/transactions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "BAD_USER_INPUT", field: "body" } });
  });
});

describe("the fast routes and express answer alike", () => {
  type Init = { method: string; body?: string; token?: string | null; expressPath?: string };
  /**
   * The same request as the fast route gets it and as express gets it: a body with a content
   * encoding (identity), which the fast route declines and express.json() reads; for a read, the
   * path form of the endpoint, which only express serves.
   */
  async function both(path: string, init: Init) {
    const token = init.token === undefined ? await new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, "payments", "wallet").token() : init.token;
    const send = async (p: string, extra: Record<string, string>) => {
      const res = await fetch(`${walletBaseUrl(svc)}/internal/wallet/v1${p}`, {
        method: init.method,
        headers: { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    return { fast: await send(path, {}), express: await send(init.expressPath ?? path, init.body !== undefined ? { "content-encoding": "identity" } : {}) };
  }

  it("reads a balance through /balance?playerId= and through /players/<id>/balance", async () => {
    const playerId = await createWallet(svc);
    await deposit(playerId, "4321");
    const expected = { status: 200, body: { playerId, currency: "GBP", cash: "4321", bonus: "0", reserved: "0", walletVersion: "1" } };
    expect(await both(`/balance?playerId=${playerId}&currency=GBP`, { method: "GET", expressPath: `/players/${playerId}/balance?currency=GBP` })).toEqual({ fast: expected, express: expected });
    expect(await games.balance(playerId.toUpperCase(), "GBP")).toEqual(expected.body);
  });

  const unknown = randomUUID();
  it.each<[string, string, Init, number, string]>([
    ["an unknown wallet", `/balance?playerId=${unknown}&currency=GBP`, { method: "GET", expressPath: `/players/${unknown}/balance?currency=GBP` }, 404, "NOT_FOUND"],
    ["a malformed player id", "/balance?playerId=nope&currency=GBP", { method: "GET", expressPath: "/players/nope/balance?currency=GBP" }, 400, "BAD_USER_INPUT"],
    ["a missing currency", `/balance?playerId=${unknown}`, { method: "GET", expressPath: `/players/${unknown}/balance` }, 400, "BAD_USER_INPUT"],
    ["a repeated currency", `/balance?playerId=${unknown}&currency=GBP&currency=EUR`, { method: "GET", expressPath: `/players/${unknown}/balance?currency=GBP&currency=EUR` }, 400, "BAD_USER_INPUT"],
    ["no service token", `/balance?playerId=${unknown}&currency=GBP`, { method: "GET", token: null, expressPath: `/players/${unknown}/balance?currency=GBP` }, 401, "UNAUTHENTICATED"],
    ["a command without a token", "/transactions", { method: "POST", body: "{}", token: null }, 401, "UNAUTHENTICATED"],
    ["a body that is not JSON", "/transactions", { method: "POST", body: "{not json" }, 400, "BAD_USER_INPUT"],
    ["a JSON string as the body", "/transactions", { method: "POST", body: '"DEPOSIT"' }, 400, "BAD_USER_INPUT"],
    ["a body over 64 kB", "/transactions", { method: "POST", body: JSON.stringify({ pad: "x".repeat(70_000) }) }, 400, "BAD_USER_INPUT"],
    ["an empty body", "/transactions", { method: "POST", body: "" }, 400, "BAD_USER_INPUT"],
    ["a command of another service", "/transactions", { method: "POST", body: JSON.stringify({ type: "STAKE", playerId: unknown, currency: "GBP", amount: "1", idempotencyKey: "k-1", counterRef: "hub88" }) }, 403, "FORBIDDEN"],
  ])("%s", async (_name, path, init, status, code) => {
    const { fast, express } = await both(path, init);
    expect(fast).toEqual(express);
    expect(fast).toMatchObject({ status, body: { error: { code } } });
  });

  it("posts a command through either, with the same answer to the replay", async () => {
    const playerId = await createWallet(svc);
    const body = JSON.stringify({ type: "DEPOSIT", playerId, currency: "GBP", amount: "700", idempotencyKey: key(), counterRef: "stripe" });
    const { fast, express } = await both("/transactions", { method: "POST", body });
    expect(fast).toMatchObject({ status: 200, body: { cashBalance: "700", replayed: false } });
    expect(express).toEqual({ ...fast, body: { ...fast.body, replayed: true } });
  });
});
