import { fork, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ServiceTokenSigner, generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import { startService } from "@casino/kernel/service";
import { testSigningKeys } from "@casino/kernel/testing/service-harness";
import { WalletClient } from "@casino/wallet-client";
import pg from "pg";
import { Ledger } from "../src/ledger/ledger.ts";
import { walletService } from "../src/service.ts";

/**
 * A wallet process killed after a command committed and before it answered (crash, OOM kill,
 * deploy): the caller saw only a broken connection, retries with the same key after the restart,
 * and gets the stored result; the money moved once.
 */
const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "../src/main.ts");
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "wallet-crash-"));
const schema = `t_wallet_crash_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
const secret = generateServiceTokenSecret();
let port: number;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port: p } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return p;
}

const env = (extra: Record<string, string> = {}): Record<string, string | undefined> => ({
  PATH: process.env.PATH,
  LOG_LEVEL: "silent",
  DATA_DIR: dataDir,
  DATABASE_URL: process.env.DATABASE_URL,
  WALLET_DATABASE_SCHEMA: schema,
  WALLET_PORT: String(port),
  AUTH_JWT_PUBLIC_KEY: testSigningKeys.publicKeyPem,
  SERVICE_TOKEN_SECRET: secret,
  ...extra,
});

async function startChild(extra: Record<string, string> = {}): Promise<ChildProcess> {
  const child = fork(MAIN, [], { execArgv: ["--import", "tsx"], env: env(extra) as NodeJS.ProcessEnv, stdio: "ignore" });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wallet exited with ${child.exitCode} during start`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error("wallet did not become ready");
}

const exited = (child: ChildProcess) => new Promise<NodeJS.Signals | number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.signalCode ?? child.exitCode) : child.once("exit", (code, signal) => resolve(signal ?? code))));

let playerId: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  port = await freePort();
  // Open and fund the wallet in-process, then hand the database to the child processes.
  const svc = await startService(walletService, env({ WALLET_PORT: "0" }));
  const ledger = new Ledger(svc.runtime.prisma, svc.runtime.db.sql, () => undefined);
  playerId = randomUUID();
  await svc.runtime.prisma.$transaction((tx) => ledger.openWallet(tx, playerId, "GBP"));
  await ledger.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: 10_000n, idempotencyKey: `fund-${playerId}`, counterRef: "stripe" });
  await svc.stop();
}, 120_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (process.env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
});

describe("a wallet killed between commit and answer", () => {
  it("answers the retry with the stored result, and the money moved once", async () => {
    const crashing = await startChild({ WALLET_FAILPOINT: "exit-after-commit" });
    children.push(crashing);
    const client = new WalletClient({ baseUrl: `http://127.0.0.1:${port}`, serviceTokenSecret: secret, caller: "games", attempts: 1 });
    const stake = { type: "STAKE" as const, playerId, currency: "GBP", amount: "2500", idempotencyKey: `crash-${randomUUID()}`, counterRef: "hub88" };

    await expect(client.post(stake)).rejects.toThrow();
    expect(await exited(crashing)).toBe("SIGKILL");

    const restarted = await startChild();
    children.push(restarted);
    const retried = await client.post(stake);
    expect(retried).toMatchObject({ replayed: true, cashAmount: "-2500", cashBalance: "7500", walletVersion: "2" });
    expect(await client.balance(playerId, "GBP")).toMatchObject({ cash: "7500", walletVersion: "2" });
    await client.close();
    restarted.kill("SIGTERM");
    await exited(restarted);
  }, 180_000);

  it("dies at a batch's first new commit, before any answer; the batch sent again moves each command's money once", async () => {
    const crashing = await startChild({ WALLET_FAILPOINT: "exit-after-commit" });
    children.push(crashing);
    const client = new WalletClient({ baseUrl: `http://127.0.0.1:${port}`, serviceTokenSecret: secret, caller: "games", attempts: 1 });
    const before = await client.balance(playerId, "GBP");
    const commands = [100, 200, 300].map((amount) => ({ type: "STAKE", playerId, currency: "GBP", amount: String(amount), idempotencyKey: `crash-batch-${randomUUID()}`, counterRef: "hub88" }));
    const postBatch = async () =>
      fetch(`http://127.0.0.1:${port}/internal/wallet/v1/transactions/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await new ServiceTokenSigner(secret, "games", "wallet").token()}` },
        body: JSON.stringify({ commands }),
      });

    await expect(postBatch()).rejects.toThrow();
    expect(await exited(crashing)).toBe("SIGKILL");

    const restarted = await startChild();
    children.push(restarted);
    const retried = await postBatch();
    expect(retried.status).toBe(200);
    const { results } = (await retried.json()) as { results: Array<{ status: number; body: { cashAmount: string; replayed: boolean } }> };
    expect(results.map((r) => [r.status, r.body.cashAmount])).toEqual([
      [200, "-100"],
      [200, "-200"],
      [200, "-300"],
    ]);
    // At least the command whose commit stopped the process is a replay.
    expect(results.some((r) => r.body.replayed)).toBe(true);
    expect(await client.balance(playerId, "GBP")).toMatchObject({ cash: String(BigInt(before.cash) - 600n), walletVersion: String(BigInt(before.walletVersion) + 3n) });
    await client.close();
    restarted.kill("SIGTERM");
    await exited(restarted);
  }, 180_000);
});
