import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "@jest/globals";
import { ADMIN_PASSWORD_FILE, KEY_FILES, startPlatform, type Platform, type PlatformOptions } from "../src/supervisor.ts";

const FAKE = fileURLToPath(new URL("./fixtures/fake-service.ts", import.meta.url));

const tmpDirs: string[] = [];
const running: Platform[] = [];

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "casino-supervisor-"));
  tmpDirs.push(dir);
  return dir;
}

/** The test runner's environment without anything that would change the platform's mode or keys. */
function baseEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: "warn", ...extra };
  for (const key of ["DATABASE_URL", "REDIS_URL", "AUTH_JWT_PRIVATE_KEY", "AUTH_JWT_PUBLIC_KEY", "ADMIN_EMAIL", "ADMIN_PASSWORD", "NODE_ENV"]) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

function entries(alphaFlags: string[] = [], gatewayFlags: string[] = []): PlatformOptions["entries"] {
  return {
    alpha: { script: FAKE, args: ["alpha", ...alphaFlags] },
    gateway: { script: FAKE, args: ["gateway", ...gatewayFlags] },
  };
}

async function start(opts: PlatformOptions): Promise<Platform> {
  const platform = await startPlatform({ basePort: "auto", quiet: true, readyTimeoutMs: 30_000, ...opts });
  running.push(platform);
  return platform;
}

function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (data += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: (data ? JSON.parse(data) : null) as T }));
      })
      .on("error", reject);
  });
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** A writable that says it is a terminal, to see the colour the supervisor only uses on one. */
class Capture extends Writable {
  text = "";
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const readyz = (platform: Platform, name: string) => getJson(`http://127.0.0.1:${platform.ports[name]}/readyz`);

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});
afterAll(() => {
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("startPlatform", () => {
  it("starts every process at once, resolves once all are ready, and prefixes their output with coloured tags on a terminal", async () => {
    const tty = new Capture(true);
    const platform = await start({
      env: baseEnv(),
      dataDir: tmpDir(),
      entries: entries(["--ready-after-ms=700"]),
      quiet: false,
      output: tty,
    });

    expect(await readyz(platform, "alpha")).toMatchObject({ status: 200 });
    expect(await readyz(platform, "gateway")).toMatchObject({ status: 200 });
    expect(platform.gatewayUrl).toBe(`http://localhost:${platform.ports.gateway}/graphql`);
    expect(platform.urls).toEqual({
      alpha: `http://localhost:${platform.ports.alpha}/graphql`,
      gateway: `http://localhost:${platform.ports.gateway}/graphql`,
    });

    // Every tag is padded to the width of the longest name ("supervisor").
    const plain = platform.logs();
    const alphaReady = plain.indexOf("[alpha]      alpha ready");
    const gatewayUp = plain.indexOf(`[gateway]    gateway listening on ${platform.ports.gateway}`);
    // The gateway needs no subgraph to start: it is up while alpha is still getting ready.
    expect(alphaReady).toBeGreaterThanOrEqual(0);
    expect(gatewayUp).toBeGreaterThanOrEqual(0);
    expect(gatewayUp).toBeLessThan(alphaReady);
    expect(plain).toContain("[alpha]      alpha says hello on stderr");
    const ESC = "\u001b";
    expect(tty.text).toMatch(new RegExp(`${ESC}\\[\\d+m\\[alpha\\] {5}${ESC}\\[0m alpha ready\n`));
  });

  it("writes plain tagged lines to a stream that is not a terminal, and to a callback", async () => {
    const pipe = new Capture(false);
    const platform = await start({ env: baseEnv(), dataDir: tmpDir(), entries: entries(), quiet: false, output: pipe });
    await platform.stop();
    expect(pipe.text).toContain(`[gateway]    gateway listening on ${platform.ports.gateway}\n`);
    expect(pipe.text).not.toContain("\x1b[");

    const seen: Array<{ name: string; stream: string; text: string }> = [];
    const second = await start({
      env: baseEnv(),
      dataDir: tmpDir(),
      entries: entries(),
      quiet: false,
      output: (_line, info) => seen.push({ name: info.name, stream: info.stream, text: info.text }),
    });
    await second.stop();
    expect(seen).toContainEqual({ name: "alpha", stream: "stderr", text: "alpha says hello on stderr" });
    expect(seen).toContainEqual({ name: "gateway", stream: "stdout", text: "gateway got SIGTERM" });
  });

  it("stops the gateway first and then the services, and stop() can be called again", async () => {
    const platform = await start({ env: baseEnv(), dataDir: tmpDir(), entries: entries() });
    const first = platform.stop();
    const again = platform.stop();
    await Promise.all([first, again]);

    expect(hasExited(platform.children.alpha!)).toBe(true);
    expect(hasExited(platform.children.gateway!)).toBe(true);
    const logs = platform.logs();
    expect(logs.indexOf("[gateway]    gateway got SIGTERM")).toBeLessThan(logs.indexOf("[alpha]      alpha got SIGTERM"));
    await expect(platform.exited).resolves.toEqual({ code: 0, reason: "stopped" });
  });

  it("stops the whole platform with a non-zero exit when a child dies on its own", async () => {
    const platform = await start({ env: baseEnv(), dataDir: tmpDir(), entries: entries() });
    platform.children.alpha!.kill("SIGKILL");

    const exit = await platform.exited;
    expect(exit).toMatchObject({ code: 1, service: "alpha" });
    expect(exit.reason).toContain("alpha exited unexpectedly (signal SIGKILL)");
    expect(exit.lastLines).toContain("[alpha]      alpha ready");
    expect(hasExited(platform.children.gateway!)).toBe(true);
    expect(platform.logs("gateway")).toContain("[gateway]    gateway got SIGTERM");
    expect(platform.logs("supervisor").join("\n")).toContain("alpha exited unexpectedly");
  });

  it("names the service that never became ready, shows its last lines and stops what it started", async () => {
    const dataDir = tmpDir();
    const failure = startPlatform({
      env: baseEnv(),
      dataDir,
      basePort: "auto",
      quiet: true,
      // Long enough for the child to be listening (and answering 503) even on a loaded machine.
      readyTimeoutMs: 6_000,
      entries: entries(["--never-ready"]),
    });

    await expect(failure).rejects.toThrow(/alpha did not become ready within 6 s \(last \/readyz: HTTP 503\)/);
    await expect(failure).rejects.toThrow(/Last log lines of alpha:\n {2}\[alpha\] +alpha listening on \d+/);
    const pid = Number(fs.readFileSync(path.join(dataDir, "alpha.pid"), "utf8"));
    expect(processGone(pid)).toBe(true);
    // Everything that was started is stopped again, the gateway included.
    const gatewayPid = Number(fs.readFileSync(path.join(dataDir, "gateway.pid"), "utf8"));
    expect(processGone(gatewayPid)).toBe(true);
  });

  it("reports a service that exits during start-up with its output", async () => {
    const failure = startPlatform({
      env: baseEnv(),
      dataDir: tmpDir(),
      basePort: "auto",
      quiet: true,
      entries: entries(["--crash-on-start"]),
    });
    await expect(failure).rejects.toThrow(/^alpha exited during start-up \(exit code 3\)\nLast log lines of alpha:\n {2}\[alpha\] +alpha: invalid configuration: BOOM=1$/);
  });

  it("kills a child that ignores SIGTERM once the stop timeout has passed", async () => {
    const platform = await start({ env: baseEnv(), dataDir: tmpDir(), entries: entries(["--ignore-sigterm"]), stopTimeoutMs: 500 });
    await platform.stop();
    expect(platform.children.alpha!.signalCode).toBe("SIGKILL");
    expect(platform.children.gateway!.exitCode).toBe(0);
    expect(platform.logs("supervisor").join("\n")).toContain("alpha did not stop within 0.5 s; killing it");
  });

  it("generates the signing keys and admin password once, persists them privately and reuses them", async () => {
    const dataDir = tmpDir();
    const first = await start({ env: baseEnv(), dataDir, entries: entries() });
    const keysDir = path.join(dataDir, "keys");
    const publicPem = fs.readFileSync(path.join(keysDir, KEY_FILES.public), "utf8");
    const env = await getJson<Record<string, unknown>>(`http://127.0.0.1:${first.ports.alpha}/env`);
    await first.stop();

    expect(first.keys).toEqual({ source: "generated", dir: keysDir });
    expect(first.mode).toBe("embedded");
    expect(first.events).toBe("ipc");
    for (const file of [path.join(keysDir, KEY_FILES.private), path.join(keysDir, KEY_FILES.public), path.join(keysDir, KEY_FILES.documentNumberKey), path.join(dataDir, ADMIN_PASSWORD_FILE)]) {
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    }
    const documentKey = fs.readFileSync(path.join(keysDir, KEY_FILES.documentNumberKey), "utf8");
    expect(documentKey.length).toBeGreaterThanOrEqual(32);
    expect(publicPem).toContain("-----BEGIN PUBLIC KEY-----");
    // Only the player service gets the private key, the admin password and the document number key.
    expect(env.body).toEqual({
      publicKey: publicPem,
      hasPrivateKey: false,
      hasAdminPassword: false,
      hasDocumentNumberKey: false,
      ipcHub: "1",
      dataDir,
      alphaUrl: `http://127.0.0.1:${first.ports.alpha}/graphql`,
      ipcChannel: true,
    });
    expect(first.admin?.email).toBe("admin@casino.local");
    expect(first.admin?.password).toMatch(/^[\w-]{20,}$/);

    const second = await start({ env: baseEnv(), dataDir, entries: entries() });
    const env2 = await getJson<Record<string, unknown>>(`http://127.0.0.1:${second.ports.alpha}/env`);
    expect(second.keys).toEqual({ source: "stored", dir: keysDir });
    expect(env2.body.publicKey).toBe(publicPem);
    expect(second.admin).toEqual(first.admin);
    expect(fs.readFileSync(path.join(keysDir, KEY_FILES.documentNumberKey), "utf8")).toBe(documentKey);
  });

  it("uses the keys and admin from the environment without writing any", async () => {
    const dataDir = tmpDir();
    const { generateSigningKeyPair } = await import("../src/auth/tokens.ts");
    const pair = generateSigningKeyPair();
    const platform = await start({
      env: baseEnv({
        AUTH_JWT_PRIVATE_KEY: pair.privateKeyPem,
        AUTH_JWT_PUBLIC_KEY: pair.publicKeyPem,
        ADMIN_EMAIL: "boss@example.com",
        ADMIN_PASSWORD: "a given admin password",
      }),
      dataDir,
      entries: entries(),
    });
    const env = await getJson<{ publicKey: string }>(`http://127.0.0.1:${platform.ports.alpha}/env`);
    expect(env.body.publicKey).toBe(pair.publicKeyPem);
    expect(platform.keys).toEqual({ source: "env" });
    expect(platform.admin).toEqual({ email: "boss@example.com", password: "a given admin password" });
    expect(fs.existsSync(path.join(dataDir, "keys", KEY_FILES.private))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, ADMIN_PASSWORD_FILE))).toBe(false);
  });

  it("refuses to generate keys in production, naming the variables, before starting anything", async () => {
    const dataDir = tmpDir();
    const failure = startPlatform({ env: baseEnv({ NODE_ENV: "production" }), dataDir, basePort: "auto", quiet: true, entries: entries() });
    await expect(failure).rejects.toThrow(/AUTH_JWT_PRIVATE_KEY and AUTH_JWT_PUBLIC_KEY must be set when NODE_ENV=production/);
    const keyed = baseEnv({ NODE_ENV: "production", SERVICE_TOKEN_SECRET: "s".repeat(40) });
    const { generateSigningKeyPair } = await import("../src/auth/tokens.ts");
    const pair = generateSigningKeyPair();
    const withoutDocumentKey = startPlatform({
      env: { ...keyed, AUTH_JWT_PRIVATE_KEY: pair.privateKeyPem, AUTH_JWT_PUBLIC_KEY: pair.publicKeyPem },
      dataDir,
      basePort: "auto",
      quiet: true,
      entries: entries(),
    });
    await expect(withoutDocumentKey).rejects.toThrow(/DOCUMENT_NUMBER_KEY must be set when NODE_ENV=production/);
    expect(fs.existsSync(path.join(dataDir, "keys", KEY_FILES.documentNumberKey))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, "keys", KEY_FILES.private))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, "alpha.pid"))).toBe(false);
  });
});
