import { randomUUID } from "node:crypto";
import { ServiceTokenSigner, generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import type { ServiceName } from "@casino/kernel/config";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { WalletApiError, WalletClient, type WalletCommand } from "@casino/wallet-client";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { walletService } from "../src/service.ts";
import { countTransactions, createWallet, stakeCommand as stakeOf, walletBaseUrl } from "./support/wallets.ts";

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

describe("the fast routes and express answer alike", () => {
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

describe("POST /transactions/batch", () => {
  interface Answer {
    status: number;
    body: Record<string, unknown>;
  }
  const tokenOf = (caller: ServiceName) => new ServiceTokenSigner(TEST_SERVICE_TOKEN_SECRET, caller, "wallet").token();
  async function send(path: string, body: unknown, caller: ServiceName): Promise<Answer> {
    const res = await fetch(`${walletBaseUrl(svc)}/internal/wallet/v1${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await tokenOf(caller)}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  const single = (command: unknown, caller: ServiceName = "games") => send("/transactions", command, caller);
  async function batch(commands: unknown[], caller: ServiceName = "games"): Promise<Answer[]> {
    const answer = await send("/transactions/batch", { commands }, caller);
    expect(answer.status).toBe(200);
    const { results } = answer.body as { results: Answer[] };
    expect(results).toHaveLength(commands.length);
    return results;
  }
  const stakeCommand = (playerId: string, amount: string, idempotencyKey = key()) => stakeOf(playerId, amount, idempotencyKey, { reference: { roundId: "r-1" } });
  const depositCommand = (playerId: string, amount: string, idempotencyKey = key()) => ({ type: "DEPOSIT", playerId, currency: "GBP", amount, idempotencyKey, counterRef: "stripe" });
  async function funded(): Promise<string> {
    const playerId = await createWallet(svc);
    await deposit(playerId, "1000");
    return playerId;
  }
  const cashOf = async (playerId: string) => (await games.balance(playerId, "GBP")).cash;

  it("answers each command of a mixed batch exactly as POST /transactions answers it alone", async () => {
    // Each command on a wallet of its own; its twin, on a twin wallet, through the single endpoint.
    const unknownWallet = randomUUID();
    const cases: Array<(playerId: string, k: (name: string) => string) => unknown> = [
      (p, k) => stakeCommand(p, "100", k("stake")),
      (p, k) => stakeCommand(p, "5000", k("stake")),
      (p, k) => stakeCommand(p, "1.5", k("stake")),
      (p, k) => depositCommand(p, "100", k("deposit")),
      (p, k) => ({ type: "WIN", playerId: p, currency: "GBP", amount: "5", idempotencyKey: k("win"), refKey: k("no-such-stake"), counterRef: "hub88" }),
      (p, k) => ({ type: "ROLLBACK", playerId: p, currency: "GBP", amount: "0", idempotencyKey: k("rollback"), refKey: k("stake-to-come"), counterRef: "hub88" }),
      (p, k) => ({ playerId: p, currency: "GBP", amount: "10", idempotencyKey: k("untyped"), counterRef: "hub88" }),
      () => "STAKE",
      (_p, k) => stakeCommand(unknownWallet, "10", k("stake")),
      (p, k) => ({ ...stakeCommand(p, "10", k("padded")), pad: "x".repeat(70_000) }),
    ];
    const twins = await Promise.all(cases.map(async () => ({ a: await funded(), b: await funded() })));
    const prefix = { a: `a-${randomUUID()}`, b: `b-${randomUUID()}` };
    const commandsOf = (side: "a" | "b") => cases.map((make, i) => make(twins[i]![side], (name) => `${prefix[side]}-${i}-${name}`));

    const batched = await batch(commandsOf("a"));
    const alone: Answer[] = [];
    for (const command of commandsOf("b")) alone.push(await single(command));

    // What differs between twins: the wallet, the keys, the transaction's id and time.
    const normalized = (answer: Answer, side: "a" | "b", i: number) => {
      const { id: _id, createdAt: _createdAt, ...body } = answer.body;
      const text = JSON.stringify({ status: answer.status, body }).replaceAll(twins[i]![side], "<player>").replaceAll(prefix[side], "<key>");
      return JSON.parse(text) as Answer;
    };
    expect(batched.map((a, i) => normalized(a, "a", i))).toEqual(alone.map((a, i) => normalized(a, "b", i)));
    expect(batched.map((a) => a.status)).toEqual([200, 422, 400, 403, 404, 200, 400, 400, 404, 400]);
    expect(batched.map((a) => (a.body.error as { code?: string; field?: string } | undefined)?.field ?? null)).toEqual([null, null, "amount", null, null, null, "type", "body", null, "body"]);
    expect(batched[0]!.body).toMatchObject({ playerId: twins[0]!.a, cashAmount: "-100", cashBalance: "900", replayed: false });
    expect(batched[1]!.body).toMatchObject({ error: { code: "INSUFFICIENT_FUNDS", cashBalance: "1000" } });
    expect(await cashOf(twins[0]!.a)).toBe("900");
    expect(await Promise.all(twins.map(({ a }) => countTransactions(svc, a)))).toEqual([2, 1, 1, 1, 1, 2, 1, 1, 1, 1]);
  });

  it("replays a key inside a batch, across batches and across the endpoints, and moves the money once", async () => {
    const playerId = await funded();
    const stake = stakeCommand(playerId, "100");
    const first = await batch([stake, stake]);
    expect(first.map((a) => a.status)).toEqual([200, 200]);
    expect(first.map((a) => a.body.replayed).sort()).toEqual([false, true]);
    const original = first.find((a) => a.body.replayed === false)!;
    expect(first.map((a) => ({ ...a.body, replayed: false }))).toEqual([original.body, original.body]);

    const again = await batch([stakeCommand(playerId, "50"), stake]);
    expect(again[0]).toMatchObject({ status: 200, body: { cashAmount: "-50", replayed: false } });
    expect(again[1]).toEqual({ status: 200, body: { ...original.body, replayed: true } });
    expect(await single(stake)).toEqual({ status: 200, body: { ...original.body, replayed: true } });
    expect(await cashOf(playerId)).toBe("850");
    expect(await countTransactions(svc, playerId)).toBe(3);
  });

  it("takes one of two commands under the same key with different inputs and refuses the other", async () => {
    const playerId = await funded();
    const k = key();
    const results = await batch([stakeCommand(playerId, "100", k), stakeCommand(playerId, "101", k)]);
    expect(results.map((a) => a.status).sort()).toEqual([200, 409]);
    const taken = results.find((a) => a.status === 200)!;
    expect(results.find((a) => a.status === 409)!.body).toMatchObject({ error: { code: "IDEMPOTENCY_KEY_REUSED" } });
    expect(await cashOf(playerId)).toBe(String(1000n + BigInt(taken.body.cashAmount as string)));
    expect(await countTransactions(svc, playerId)).toBe(2);
  });

  it("checks each command against the caller's permissions", async () => {
    const playerId = await funded();
    const reserve = { type: "WITHDRAWAL_RESERVE", playerId, currency: "GBP", amount: "300", idempotencyKey: key(), counterRef: "trustly" };
    const byPayments = await batch([depositCommand(playerId, "500"), stakeCommand(playerId, "10"), reserve], "payments");
    expect(byPayments.map((a) => a.status)).toEqual([200, 403, 200]);
    expect(byPayments[1]!.body).toEqual({ error: { code: "FORBIDDEN", message: "The payments service may not post STAKE transactions" } });
    const byGames = await batch([stakeCommand(playerId, "10"), depositCommand(playerId, "500")], "games");
    expect(byGames.map((a) => a.status)).toEqual([200, 403]);
    const byPlayer = await batch([stakeCommand(playerId, "10"), depositCommand(playerId, "500")], "player");
    expect(byPlayer.map((a) => a.body.error)).toEqual([
      { code: "FORBIDDEN", message: "The player service may not post STAKE transactions" },
      { code: "FORBIDDEN", message: "The player service may not post DEPOSIT transactions" },
    ]);
    expect(await games.balance(playerId, "GBP")).toMatchObject({ cash: "1190", reserved: "300" });
    expect(await countTransactions(svc, playerId)).toBe(4);
  });

  it("carries more than a single command's 64 kB", async () => {
    const playerId = await createWallet(svc);
    const commands = Array.from({ length: 40 }, () => ({ ...depositCommand(playerId, "10"), reference: { note: "x".repeat(3_000) } }));
    const body = JSON.stringify({ commands });
    expect(body.length).toBeGreaterThan(100_000);
    const { fast, express } = await both("/transactions/batch", { method: "POST", body });
    const replayedOf = (answer: { status: number; body: Record<string, unknown> }) => (answer.body as { results: Answer[] }).results.map((a) => [a.status, a.body.replayed]);
    expect({ fast: replayedOf(fast), express: replayedOf(express) }).toEqual({ fast: commands.map(() => [200, false]), express: commands.map(() => [200, true]) });
    expect(await cashOf(playerId)).toBe("400");
  });

  describe("refused as a whole, with nothing written", () => {
    let playerId: string;
    beforeAll(async () => {
      playerId = await createWallet(svc);
    });
    const deposits = (n: number) => Array.from({ length: n }, () => depositCommand(playerId, "100"));

    it.each<[string, () => string, string]>([
      ["an array as the body", () => JSON.stringify(deposits(2)), "body"],
      ["no commands", () => JSON.stringify({ command: deposits(1) }), "commands"],
      ["commands that are no array", () => JSON.stringify({ commands: deposits(1)[0] }), "commands"],
      ["an empty list of commands", () => JSON.stringify({ commands: [] }), "commands"],
      ["65 commands", () => JSON.stringify({ commands: deposits(65) }), "commands"],
      ["a JSON string", () => JSON.stringify("commands"), "body"],
      ["a body that is not JSON", () => `{"commands": [${JSON.stringify(deposits(1)[0])}`, "body"],
      ["an empty body", () => "", "commands"],
      ["a body over 1 MiB", () => JSON.stringify({ commands: deposits(1), pad: "x".repeat(1_100_000) }), "body"],
    ])("%s", async (_name, body, field) => {
      const { fast, express } = await both("/transactions/batch", { method: "POST", body: body() });
      expect(fast).toEqual(express);
      expect(fast).toMatchObject({ status: 400, body: { error: { code: "BAD_USER_INPUT", field } } });
      expect(await countTransactions(svc, playerId)).toBe(0);
    });

    it("without a valid service token", async () => {
      const body = JSON.stringify({ commands: deposits(2) });
      const forged = await new ServiceTokenSigner(generateServiceTokenSecret(), "payments", "wallet").token();
      for (const token of [null, forged, await svc.tokens.player()]) {
        const { fast, express } = await both("/transactions/batch", { method: "POST", body, token });
        expect(fast).toEqual(express);
        expect(fast).toMatchObject({ status: 401, body: { error: { code: "UNAUTHENTICATED" } } });
      }
      expect(await countTransactions(svc, playerId)).toBe(0);
    });
  });

  it("answers alike through its fast route and through express", async () => {
    /** Requests served under one route label, as the access metrics count them. */
    const served = async (route: string) => {
      const text = await (await fetch(`${walletBaseUrl(svc)}/metrics`)).text();
      const counts = text.split("\n").filter((line) => line.startsWith("http_request_duration_seconds_count{") && line.includes(`route="${route}"`));
      return counts.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
    };
    const before = { fast: await served("/internal/wallet/v1/transactions/batch"), express: await served("/transactions/batch") };
    const playerId = await createWallet(svc);
    const body = JSON.stringify({ commands: [depositCommand(playerId, "700"), stakeCommand(playerId, "10"), depositCommand(playerId, "0")] });
    const { fast, express } = await both("/transactions/batch", { method: "POST", body });
    const results = (fast.body as { results: Answer[] }).results;
    expect(results.map((a) => a.status)).toEqual([200, 403, 400]);
    expect(results[0]!.body).toMatchObject({ cashBalance: "700", replayed: false });
    expect(express).toEqual({ status: 200, body: { results: [{ status: 200, body: { ...results[0]!.body, replayed: true } }, results[1], results[2]] } });
    expect({ fast: await served("/internal/wallet/v1/transactions/batch"), express: await served("/transactions/batch") }).toEqual({ fast: before.fast + 1, express: before.express + 1 });
  });
});
