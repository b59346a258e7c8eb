import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { WalletApiError, WalletClient, type WalletBatchingOptions, type WalletClientOptions, type WalletCommand } from "@casino/wallet-client";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { walletService } from "../src/service.ts";
import { countTransactions, createWallet, stakeCommand, walletBaseUrl } from "./support/wallets.ts";

/**
 * The wallet client's batching mode against a real wallet, through a proxy that counts the requests
 * of each endpoint and spoils answers when told to (a lost answer, a reset connection, a command
 * failed inside a batch, a wallet that does not know the batch endpoint).
 */
const SINGLE = "/internal/wallet/v1/transactions";
const BATCH = "/internal/wallet/v1/transactions/batch";

type Fault =
  /** Forwards the request, then answers this status instead of the wallet's answer. */
  | { kind: "lose-answer"; status: number }
  /** Forwards the request, then cuts the connection without an answer. */
  | { kind: "reset" }
  /** Answers this status without forwarding. */
  | { kind: "refuse"; status: number }
  /** Forwards a batch, then answers a 500 for its commands at `indexes` (which the wallet did post). */
  | { kind: "fail-items"; indexes: number[] };

class CountingProxy {
  /** Requests per path, and the number of commands of each batch request. */
  readonly requests = new Map<string, number>();
  readonly batchSizes: number[] = [];
  private readonly faults: Array<{ path: string; fault: Fault; after: number }> = [];
  private readonly server = http.createServer((req, res) => void this.serve(req, res));
  url = "";

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** The next request to `path` after `after` others meets `fault` (faults of a path apply in the order they were added). */
  spoil(path: string, fault: Fault, after = 0): void {
    this.faults.push({ path, fault, after });
  }

  reset(): void {
    this.requests.clear();
    this.batchSizes.length = 0;
    this.faults.length = 0;
  }

  counts(): { single: number; batch: number } {
    return { single: this.requests.get(SINGLE) ?? 0, batch: this.requests.get(BATCH) ?? 0 };
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = req.url ?? "";
    this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
    if (path === BATCH) this.batchSizes.push((JSON.parse(body) as { commands: unknown[] }).commands.length);
    const next = this.faults.find((f) => f.path === path);
    // Applies when no request is left to let through; else lets this one through.
    const fault = next && next.after-- === 0 ? this.faults.splice(this.faults.indexOf(next), 1)[0]!.fault : undefined;
    if (fault?.kind === "refuse") return void res.writeHead(fault.status, { "content-type": "text/plain" }).end("refused by the test proxy");

    const answer = await fetch(this.target + path, {
      method: req.method,
      headers: { authorization: req.headers.authorization ?? "", ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body } : {}),
    });
    let text = await answer.text();
    if (fault?.kind === "reset") return void res.destroy();
    if (fault?.kind === "lose-answer") return void res.writeHead(fault.status, { "content-type": "text/plain" }).end("bad gateway");
    if (fault?.kind === "fail-items") {
      const parsed = JSON.parse(text) as { results: unknown[] };
      for (const i of fault.indexes) parsed.results[i] = { status: 500, body: { error: { code: "INTERNAL_SERVER_ERROR", message: "Internal error" } } };
      text = JSON.stringify(parsed);
    }
    res.writeHead(answer.status, { "content-type": "application/json" }).end(text);
  }
}

let svc: TestService<PrismaClient>;
let proxy: CountingProxy;
let payments: WalletClient;
const clients: WalletClient[] = [];

beforeAll(async () => {
  svc = await startTestService(walletService);
  proxy = new CountingProxy(walletBaseUrl(svc));
  await proxy.start();
  payments = new WalletClient({ baseUrl: walletBaseUrl(svc), serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "payments", attempts: 1 });
});
afterAll(async () => {
  await Promise.all([payments, ...clients].map((c) => c.close()));
  await proxy.stop();
  await svc.stop();
});
beforeEach(() => proxy.reset());

/** A games client of the wallet through the proxy. */
function gamesClient(batch: WalletBatchingOptions | undefined, extra: Partial<WalletClientOptions> = {}): WalletClient {
  const client = new WalletClient({ baseUrl: proxy.url, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "games", attempts: 4, batch, ...extra });
  clients.push(client);
  return client;
}

const key = () => `k-${randomUUID()}`;
const stake = (playerId: string, amount: string, idempotencyKey = key()): WalletCommand => stakeCommand(playerId, amount, idempotencyKey);
async function funded(amount = "10000"): Promise<string> {
  const playerId = await createWallet(svc);
  await payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount, idempotencyKey: key(), counterRef: "stripe" });
  return playerId;
}
const cashOf = async (playerId: string) => (await payments.balance(playerId, "GBP")).cash;
/** A WalletApiError as plain data (anything else fails the test). */
function apiErrorData(err: unknown) {
  expect(err).toBeInstanceOf(WalletApiError);
  const { code, status, message, details } = err as WalletApiError;
  return { code, status, message, details };
}
const refusalOf = async (call: Promise<unknown>) =>
  apiErrorData(
    await call.then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
const rejectionOf = (settled: PromiseSettledResult<unknown>) => apiErrorData(settled.status === "rejected" ? settled.reason : undefined);

describe("a batching wallet client", () => {
  it("sends the commands that arrive while its slot is busy together, and gives each caller its own result", async () => {
    const client = gamesClient({ maxInFlight: 1, maxBatch: 32 });
    const playerId = await funded();
    const commands = Array.from({ length: 12 }, (_, i) => stake(playerId, String(i + 1)));

    const results = await Promise.all(commands.map((c) => client.post(c)));

    // The first finds the slot free and goes alone; the other eleven wait for it and go together.
    expect(proxy.counts()).toEqual({ single: 1, batch: 1 });
    expect(proxy.batchSizes).toEqual([11]);
    expect(results.map((r) => [r.idempotencyKey, r.cashAmount, r.replayed])).toEqual(commands.map((c) => [c.idempotencyKey, `-${c.amount}`, false]));
    expect(await cashOf(playerId)).toBe(String(10_000 - 78));
    expect(await countTransactions(svc, playerId)).toBe(13);
  });

  it("carries at most maxBatch commands per request", async () => {
    const client = gamesClient({ maxInFlight: 1, maxBatch: 4 });
    const playerId = await funded();
    await Promise.all(Array.from({ length: 10 }, () => client.post(stake(playerId, "1"))));
    // One alone, then 4 + 4 together, and the last one alone again (a batch of one is a single request).
    expect(proxy.counts()).toEqual({ single: 2, batch: 2 });
    expect(proxy.batchSizes).toEqual([4, 4]);
    expect(await cashOf(playerId)).toBe("9990");
  });

  it("sends commands alone while slots are free, exactly as without batching", async () => {
    const client = gamesClient({ maxInFlight: 4, maxBatch: 32 });
    const playerId = await funded();
    await Promise.all(Array.from({ length: 4 }, () => client.post(stake(playerId, "1"))));
    expect(proxy.counts()).toEqual({ single: 4, batch: 0 });
    for (let i = 0; i < 3; i++) await client.post(stake(playerId, "1"));
    expect(proxy.counts()).toEqual({ single: 7, batch: 0 });
    await Promise.all(Array.from({ length: 7 }, () => client.post(stake(playerId, "1"))));
    expect(proxy.counts()).toEqual({ single: 11, batch: 1 });
    expect(proxy.batchSizes).toEqual([3]);
    expect(await cashOf(playerId)).toBe(String(10_000 - 14));
  });

  it("rejects only a refused command's promise, with the error the single endpoint gives it", async () => {
    const batching = gamesClient({ maxInFlight: 1, maxBatch: 32 });
    const plain = gamesClient(undefined);
    // Each command on a wallet of its own, its twin on a twin wallet, sent by a client without batching.
    const cases: Array<(playerId: string) => WalletCommand> = [
      (p) => stake(p, "10"),
      (p) => stake(p, "10"),
      (p) => stake(p, "20000"),
      (p) => ({ type: "DEPOSIT", playerId: p, currency: "GBP", amount: "10", idempotencyKey: key(), counterRef: "stripe" }),
      (p) => stake(p, "1.5"),
      (p) => ({ type: "WIN", playerId: p, currency: "GBP", amount: "10", idempotencyKey: key(), refKey: "no-such-stake", counterRef: "hub88" }),
      (p) => stake(p, "30"),
    ];
    const twins = await Promise.all(cases.map(async () => ({ batched: await funded(), plain: await funded() })));

    const settled = await Promise.allSettled(cases.map((make, i) => batching.post(make(twins[i]!.batched))));
    expect(proxy.counts()).toEqual({ single: 1, batch: 1 });
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected", "rejected", "rejected", "fulfilled"]);

    const refusedIndexes = [2, 3, 4, 5];
    const batchedErrors = refusedIndexes.map((i) => rejectionOf(settled[i]!));
    const plainErrors = await Promise.all(refusedIndexes.map((i) => refusalOf(plain.post(cases[i]!(twins[i]!.plain)))));
    expect(batchedErrors).toEqual(plainErrors);
    expect(batchedErrors.map((e) => [e.code, e.status])).toEqual([
      ["INSUFFICIENT_FUNDS", 422],
      ["FORBIDDEN", 403],
      ["BAD_USER_INPUT", 400],
      ["TRANSACTION_NOT_FOUND", 404],
    ]);
    expect(batchedErrors[0]!.details).toMatchObject({ cashBalance: "10000" });
    expect(batchedErrors[2]!.details).toMatchObject({ field: "amount" });
    // Refusals are final: nothing was sent again.
    expect(proxy.counts()).toEqual({ single: 5, batch: 1 });
    expect(await Promise.all(twins.map(({ batched }) => cashOf(batched)))).toEqual(["9990", "9990", "10000", "10000", "10000", "10000", "9970"]);
  });

  it.each<[string, Fault]>([
    ["answered with a 502 after the wallet posted it", { kind: "lose-answer", status: 502 }],
    ["cut off without an answer after the wallet posted it", { kind: "reset" }],
  ])("sends a batch %s again, and no money moves twice", async (_name, fault) => {
    const client = gamesClient({ maxInFlight: 1, maxBatch: 32 });
    const playerId = await funded();
    proxy.spoil(BATCH, fault);
    const commands = Array.from({ length: 6 }, (_, i) => stake(playerId, String(100 * (i + 1))));

    const results = await Promise.all(commands.map((c) => client.post(c)));

    expect(proxy.counts()).toEqual({ single: 1, batch: 2 });
    expect(proxy.batchSizes).toEqual([5, 5]);
    // The second batch got the first one's results: the wallet had posted every command once.
    expect(results.map((r) => [r.idempotencyKey, r.cashAmount, r.replayed])).toEqual(commands.map((c, i) => [c.idempotencyKey, `-${c.amount}`, i > 0]));
    expect(await cashOf(playerId)).toBe(String(10_000 - 2_100));
    expect(await countTransactions(svc, playerId)).toBe(7);
  });

  it("retries each command the wallet failed inside a batch alone, and the others not at all", async () => {
    const client = gamesClient({ maxInFlight: 1, maxBatch: 32 });
    const playerId = await funded();
    proxy.spoil(BATCH, { kind: "fail-items", indexes: [1, 2] });
    const commands = Array.from({ length: 5 }, (_, i) => stake(playerId, String(i + 1)));

    const results = await Promise.all(commands.map((c) => client.post(c)));

    // Both failed commands wait out the same backoff, yet each is sent on its own.
    expect(proxy.counts()).toEqual({ single: 3, batch: 1 });
    expect(proxy.batchSizes).toEqual([4]);
    // commands[2] and [3] were the batch's second and third: their 500s were the proxy's, the wallet had posted them.
    expect(results.map((r) => [r.idempotencyKey, r.cashAmount, r.replayed])).toEqual(commands.map((c, i) => [c.idempotencyKey, `-${c.amount}`, i === 2 || i === 3]));
    expect(await cashOf(playerId)).toBe("9985");
    expect(await countTransactions(svc, playerId)).toBe(6);
  });

  it("gives up on a failing batch after the client's attempts, with the last error", async () => {
    const client = gamesClient({ maxInFlight: 1, maxBatch: 32 }, { attempts: 2 });
    const playerId = await funded();
    proxy.spoil(BATCH, { kind: "refuse", status: 503 });
    proxy.spoil(BATCH, { kind: "refuse", status: 503 });
    const commands = Array.from({ length: 4 }, () => stake(playerId, "5"));

    const settled = await Promise.allSettled(commands.map((c) => client.post(c)));

    expect(proxy.counts()).toEqual({ single: 1, batch: 2 });
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "rejected", "rejected"]);
    const errors = settled.slice(1).map(rejectionOf);
    expect(errors).toEqual(errors.map(() => ({ code: "INTERNAL_SERVER_ERROR", status: 503, message: "wallet answered 503", details: undefined })));
    expect(await cashOf(playerId)).toBe("9995");
  });

  it("sends each command alone when the wallet refuses a batch as a whole (a wallet without the batch endpoint)", async () => {
    // Two attempts, and the first command sent alone loses its answer: the refused batch spent none.
    const client = gamesClient({ maxInFlight: 1, maxBatch: 32 }, { attempts: 2 });
    const playerId = await funded();
    proxy.spoil(BATCH, { kind: "refuse", status: 404 });
    proxy.spoil(SINGLE, { kind: "lose-answer", status: 502 }, 1);
    const commands = [stake(playerId, "1"), stake(playerId, "2"), stake(playerId, "3"), stake(playerId, "99999")];

    const settled = await Promise.allSettled(commands.map((c) => client.post(c)));

    expect(proxy.counts()).toEqual({ single: 5, batch: 1 });
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "rejected"]);
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value.replayed : null))).toEqual([false, true, false, null]);
    expect(rejectionOf(settled[3]!)).toMatchObject({ code: "INSUFFICIENT_FUNDS", status: 422 });
    expect(await cashOf(playerId)).toBe("9994");
  });

  it("refuses batching options out of range", () => {
    const base = { baseUrl: proxy.url, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "games" as const };
    expect(() => new WalletClient({ ...base, batch: { maxInFlight: 0, maxBatch: 8 } })).toThrow("batch.maxInFlight must be an integer of at least 1 (got 0)");
    expect(() => new WalletClient({ ...base, batch: { maxInFlight: 2, maxBatch: 65 } })).toThrow("batch.maxBatch must be an integer from 1 to 64 (got 65)");
  });
});
