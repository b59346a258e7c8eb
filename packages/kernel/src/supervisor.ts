import { fork, type ChildProcess } from "node:child_process";
import { createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pino, type Logger } from "pino";
import { generateSigningKeyPair } from "./auth/tokens.ts";
import { generateServiceTokenSecret } from "./auth/service-tokens.ts";
import { DEFAULT_PORTS, SERVICES, logLevelSchema, type ServiceName } from "./config.ts";
import { IPC_HUB_ENV } from "./events/index.ts";
import { createIpcHub, type IpcHub } from "./events/ipc.ts";

// Computed here rather than imported from service.ts: that module pulls Prisma, PGlite and Apollo
// into the supervisor, which only forks and watches.
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export const DEFAULT_ADMIN_EMAIL = "admin@casino.local";
export const KEY_FILES = {
  private: "jwt-ed25519-private.pem",
  public: "jwt-ed25519-public.pem",
  serviceSecret: "service-token-secret",
  documentNumberKey: "document-number-key",
} as const;
export const ADMIN_PASSWORD_FILE = "admin-password";

type Env = Record<string, string | undefined>;

/** A script to fork, with optional arguments. */
export type EntrySpec = string | { script: string; args?: string[] };

export type OutputStream = "stdout" | "stderr" | "supervisor";

export interface OutputLine {
  /** Process name, or "supervisor" for the supervisor's own messages. */
  name: string;
  stream: OutputStream;
  /** The line as the process wrote it. */
  text: string;
  /** The line with its padded `[name]` tag, without colour. */
  line: string;
}

export interface PlatformOptions {
  /** Environment of the platform; defaults to process.env. Children inherit it. */
  env?: Env;
  /** Overrides DATA_DIR. Relative paths are resolved against the current directory. */
  dataDir?: string;
  /**
   * Ports: a number puts the gateway on it and each subgraph on its default offset from 4000
   * (wallet on basePort + 2); "auto" picks free ports. Without it, GATEWAY_PORT / <S>_PORT or the
   * defaults apply. `ports` wins over both, per process.
   */
  basePort?: number | "auto";
  ports?: Record<string, number>;
  /**
   * Scripts to fork, by process name; defaults to the real six subgraphs and the gateway (an entry
   * named "gateway" is required). All start together; the platform is ready when all are.
   */
  entries?: Record<string, EntrySpec>;
  /** Where prefixed log lines go: a stream, or a callback. Defaults to process.stdout / stderr. */
  output?: NodeJS.WritableStream | ((line: string, info: OutputLine) => void);
  /** Collect logs in memory only (see `logs()`), for tests. */
  quiet?: boolean;
  /** Force colour on or off; by default only when the output is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** For every process to answer /readyz. Default 90 s. */
  readyTimeoutMs?: number;
  /** Per stop phase (gateway, then subgraphs) before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
  /** Aborting during start-up stops whatever was started and rejects. */
  signal?: AbortSignal;
  /** Lines kept in memory for diagnostics. Default 2,000. */
  logBufferLines?: number;
}

export interface PlatformExit {
  /** 0 after stop(); 1 when a child died on its own. */
  code: number;
  reason: string;
  /** The process that died, when one did. */
  service?: string;
  /** Its last log lines, for the failure report. */
  lastLines?: string[];
}

export interface SigningKeys {
  privateKeyPem: string;
  publicKeyPem: string;
  /** env: from AUTH_JWT_*; generated: created now under dir; stored: read from dir. */
  source: "env" | "generated" | "stored";
  dir?: string;
}

export interface AdminCredentials {
  email: string;
  password: string;
  /** Set when the password was generated (now or on an earlier start) rather than given. */
  passwordFile?: string;
}

export interface Platform {
  gatewayUrl: string;
  wsUrl: string;
  /** GraphQL URL of every process, by name (gateway included). */
  urls: Record<string, string>;
  ports: Record<string, number>;
  mode: "embedded" | "real";
  events: "ipc" | "redis";
  dataDir: string;
  /** Defaults applied in embedded mode, or the ones given in ADMIN_EMAIL / ADMIN_PASSWORD. */
  admin: AdminCredentials | undefined;
  keys: Pick<SigningKeys, "source" | "dir">;
  /** Milliseconds from startPlatform() to the gateway answering /readyz. */
  startupMs: number;
  children: Record<string, ChildProcess>;
  /** Collected log lines (tagged, no colour), of one process or of all in arrival order. */
  logs(name?: string): string[];
  /** Gateway first, then the subgraphs; SIGKILL after the stop timeout. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once everything has stopped, with why. */
  exited: Promise<PlatformExit>;
}

/** Start-up failed; the message names the process and carries its last log lines. */
export class PlatformStartError extends Error {
  constructor(
    message: string,
    readonly service: string | undefined,
    readonly lastLines: string[] = [],
  ) {
    super(lastLines.length ? `${message}\nLast log lines of ${service}:\n${lastLines.map((l) => `  ${l}`).join("\n")}` : message);
    this.name = "PlatformStartError";
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and the admin account

const unescapePem = (v: string) => v.replace(/\\n/g, "\n");

function writeSecret(file: string, content: string): void {
  // Written aside and renamed so a crash never leaves half a key behind.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * The token signing pair: from AUTH_JWT_PRIVATE_KEY / AUTH_JWT_PUBLIC_KEY when set, otherwise kept
 * under <dataDir>/keys so tokens survive a restart. Never generated in production.
 */
export function resolveSigningKeys(env: Env, dataDir: string): SigningKeys {
  const priv = env.AUTH_JWT_PRIVATE_KEY || undefined;
  const pub = env.AUTH_JWT_PUBLIC_KEY || undefined;
  if (priv && pub) return { privateKeyPem: priv, publicKeyPem: pub, source: "env" };
  if (priv) {
    const publicKeyPem = createPublicKey(unescapePem(priv)).export({ type: "spki", format: "pem" }).toString();
    return { privateKeyPem: priv, publicKeyPem, source: "env" };
  }
  if (pub) {
    throw new Error(
      "AUTH_JWT_PUBLIC_KEY is set but AUTH_JWT_PRIVATE_KEY is not: the player service signs tokens with the private key. Set both, or neither to use generated development keys.",
    );
  }
  if (env.NODE_ENV === "production") {
    throw new Error(
      "AUTH_JWT_PRIVATE_KEY and AUTH_JWT_PUBLIC_KEY must be set when NODE_ENV=production; refusing to generate signing keys.",
    );
  }
  const dir = path.join(dataDir, "keys");
  const privFile = path.join(dir, KEY_FILES.private);
  const pubFile = path.join(dir, KEY_FILES.public);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (fs.existsSync(privFile)) {
    const privateKeyPem = fs.readFileSync(privFile, "utf8");
    let derived: string;
    try {
      derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "pem" }).toString();
    } catch (err) {
      throw new Error(`${privFile} is not a valid private key (${(err as Error).message}); delete it to generate a new pair`, { cause: err });
    }
    const stored = fs.existsSync(pubFile) ? fs.readFileSync(pubFile, "utf8") : undefined;
    if (stored !== derived) writeSecret(pubFile, derived);
    return { privateKeyPem, publicKeyPem: derived, source: "stored", dir };
  }
  const pair = generateSigningKeyPair();
  writeSecret(privFile, pair.privateKeyPem);
  writeSecret(pubFile, pair.publicKeyPem);
  return { privateKeyPem: pair.privateKeyPem, publicKeyPem: pair.publicKeyPem, source: "generated", dir };
}

/**
 * A secret from the environment variable `name` when set, otherwise generated once and kept under
 * <dataDir>/keys/<file>, so that it survives restarts. Never generated in production.
 */
function resolveStoredSecret(env: Env, dataDir: string, name: string, file: string): string {
  const given = env[name];
  if (given) return given;
  if (env.NODE_ENV === "production") {
    throw new Error(`${name} must be set when NODE_ENV=production; refusing to generate it.`);
  }
  const dir = path.join(dataDir, "keys");
  const at = path.join(dir, file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (fs.existsSync(at)) return fs.readFileSync(at, "utf8").trim();
  const secret = generateServiceTokenSecret();
  writeSecret(at, secret);
  return secret;
}

/** The secret the subgraphs sign service-to-service tokens with (SERVICE_TOKEN_SECRET, or stored). */
export function resolveServiceTokenSecret(env: Env, dataDir: string): string {
  return resolveStoredSecret(env, dataDir, "SERVICE_TOKEN_SECRET", KEY_FILES.serviceSecret);
}

/** The key the player service digests identity-document numbers with (DOCUMENT_NUMBER_KEY, or stored). */
export function resolveDocumentNumberKey(env: Env, dataDir: string): string {
  return resolveStoredSecret(env, dataDir, "DOCUMENT_NUMBER_KEY", KEY_FILES.documentNumberKey);
}

/**
 * Embedded mode seeds an admin so a fresh `npm start` can be used at once: admin@casino.local and
 * a random password kept in <dataDir>/admin-password. Elsewhere only what the environment gives.
 */
export function resolveAdmin(env: Env, dataDir: string, mode: "embedded" | "real"): AdminCredentials | undefined {
  const email = env.ADMIN_EMAIL || undefined;
  const password = env.ADMIN_PASSWORD || undefined;
  if (mode !== "embedded" || env.NODE_ENV === "production") {
    return email && password ? { email, password } : undefined;
  }
  if (password) return { email: email ?? DEFAULT_ADMIN_EMAIL, password };
  const file = path.join(dataDir, ADMIN_PASSWORD_FILE);
  let stored = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "";
  if (!stored) {
    stored = randomBytes(18).toString("base64url");
    writeSecret(file, `${stored}\n`);
  }
  return { email: email ?? DEFAULT_ADMIN_EMAIL, password: stored, passwordFile: file };
}

// ---------------------------------------------------------------------------------------------
// Ports

async function freePorts(count: number): Promise<number[]> {
  // All held open until every one is known, so the OS cannot hand the same port out twice.
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "0.0.0.0", () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE"));
    server.listen(port, "0.0.0.0", () => server.close(() => resolve(false)));
  });
}

const envName = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
const portVar = (name: string) => `${envName(name)}_PORT`;

async function resolvePorts(names: string[], opts: PlatformOptions, env: Env): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  const known = (name: string): name is ServiceName | "gateway" => Object.hasOwn(DEFAULT_PORTS, name);
  if (opts.basePort === "auto") {
    const free = await freePorts(names.length);
    names.forEach((name, i) => (ports[name] = free[i]!));
  } else if (typeof opts.basePort === "number") {
    const base = opts.basePort;
    const others = names.filter((n) => n !== "gateway");
    for (const name of names) {
      ports[name] = known(name) ? base + DEFAULT_PORTS[name] - DEFAULT_PORTS.gateway : base + 1 + others.indexOf(name);
    }
  } else {
    const others = names.filter((n) => n !== "gateway");
    for (const name of names) {
      const fromEnv = env[portVar(name)];
      if (fromEnv) {
        const n = Number(fromEnv);
        if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${portVar(name)}=${JSON.stringify(fromEnv)}: must be a port number`);
        ports[name] = n;
      } else {
        ports[name] = known(name) ? DEFAULT_PORTS[name] : DEFAULT_PORTS.gateway + 1 + others.indexOf(name);
      }
    }
  }
  for (const [name, port] of Object.entries(opts.ports ?? {})) {
    if (names.includes(name)) ports[name] = port;
  }
  return ports;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function defaultEntries(): Record<string, EntrySpec> {
  const entries: Record<string, EntrySpec> = {};
  for (const s of SERVICES) entries[s] = path.join(REPO_ROOT, "subgraphs", s, "src", "main.ts");
  entries.gateway = path.join(REPO_ROOT, "gateway", "src", "main.ts");
  return entries;
}

/** Resolves after ms, or earlier when `until` settles; never leaves a timer behind. */
function wait(ms: number, until?: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    until?.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/** GET without a pooled agent: a keep-alive socket would outlive the platform in tests. */
function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { connection: "close" }, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

const seconds = (ms: number) => `${Number.isInteger(ms / 1000) ? ms / 1000 : (ms / 1000).toFixed(1)} s`;

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

const COLOURS = [36, 32, 33, 35, 34, 96, 92, 93, 95, 94];

// ---------------------------------------------------------------------------------------------
// The supervisor

interface Proc {
  name: string;
  role: "service" | "gateway";
  script: string;
  args: string[];
  port: number;
  child?: ChildProcess;
  exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  exited: Promise<void>;
  markExited: () => void;
  closed: Promise<void>;
  markClosed: () => void;
}

function alive(p: Proc): boolean {
  return p.child !== undefined && p.exitInfo === undefined;
}

/**
 * Forks the six subgraphs and the gateway, each with its output prefixed, and resolves once
 * the gateway answers /readyz. In embedded mode the supervisor hosts the IPC event hub the
 * children share. A child that dies on its own stops the whole platform (see `exited`).
 */
export async function startPlatform(opts: PlatformOptions = {}): Promise<Platform> {
  const startedAt = performance.now();
  const env: Env = { ...(opts.env ?? process.env) };
  const dataDir = path.resolve(opts.dataDir ?? (env.DATA_DIR || ".data"));
  const mode: Platform["mode"] = env.DATABASE_URL ? "real" : "embedded";
  const events: Platform["events"] = env.REDIS_URL ? "redis" : "ipc";
  const readyTimeoutMs = opts.readyTimeoutMs ?? 90_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  const bufferLimit = opts.logBufferLines ?? 2_000;

  const entries = opts.entries ?? defaultEntries();
  if (!entries.gateway) throw new Error('startPlatform: entries must include "gateway"');
  const names = [...Object.keys(entries).filter((n) => n !== "gateway"), "gateway"];
  for (const name of names) {
    const spec = entries[name]!;
    const script = typeof spec === "string" ? spec : spec.script;
    if (!fs.existsSync(script)) throw new Error(`startPlatform: entry point of ${name} not found: ${script}`);
  }

  fs.mkdirSync(dataDir, { recursive: true });
  const keys = resolveSigningKeys(env, dataDir);
  const serviceTokenSecret = resolveServiceTokenSecret(env, dataDir);
  const documentNumberKey = resolveDocumentNumberKey(env, dataDir);
  const admin = resolveAdmin(env, dataDir, mode);
  const ports = await resolvePorts(names, opts, env);
  for (const name of names) {
    if (await portInUse(ports[name]!)) {
      throw new Error(`port ${ports[name]} for ${name} is already in use (set ${portVar(name)} or stop what holds it)`);
    }
  }

  // ---- output
  const tagWidth = Math.max(...[...names, "supervisor"].map((n) => n.length)) + 2;
  const buffer: Array<{ name: string; line: string }> = [];
  const colourOf = new Map<string, number>();
  names.forEach((n, i) => colourOf.set(n, COLOURS[i % COLOURS.length]!));
  colourOf.set("supervisor", 31);
  const colourFor = (target: NodeJS.WritableStream): boolean =>
    opts.color ?? (!env.NO_COLOR && (target as NodeJS.WritableStream & { isTTY?: boolean }).isTTY === true);

  function emit(name: string, stream: OutputStream, text: string): void {
    const tag = `[${name}]`.padEnd(tagWidth);
    const line = `${tag} ${text}`;
    buffer.push({ name, line });
    if (buffer.length > bufferLimit) buffer.splice(0, buffer.length - bufferLimit);
    if (opts.quiet) return;
    const out = opts.output;
    if (typeof out === "function") {
      out(line, { name, stream, text, line });
      return;
    }
    const target = out ?? (stream === "stdout" ? process.stdout : process.stderr);
    const shown = colourFor(target) ? `\x1b[${colourOf.get(name) ?? 0}m${tag}\x1b[0m ${text}` : line;
    target.write(`${shown}\n`);
  }
  const say = (text: string) => emit("supervisor", "supervisor", text);
  const lastLines = (name: string, n = 30) => buffer.filter((b) => b.name === name).slice(-n).map((b) => b.line);

  function pipeLines(name: string, stream: "stdout" | "stderr", readable: NodeJS.ReadableStream | null): void {
    if (!readable) return;
    let pending = "";
    readable.setEncoding("utf8");
    readable.on("data", (chunk: string) => {
      pending += chunk;
      const parts = pending.split(/\r?\n/);
      pending = parts.pop() ?? "";
      for (const part of parts) emit(name, stream, part);
    });
    readable.on("end", () => {
      if (pending) emit(name, stream, pending);
      pending = "";
    });
  }

  let hubLog: Logger | undefined;
  let hub: IpcHub | undefined;
  if (events === "ipc") {
    // A bad LOG_LEVEL is left for the children to reject with a message that names it.
    const level = logLevelSchema.safeParse(env.LOG_LEVEL || undefined).data ?? "info";
    hubLog = pino(
      { level, base: { service: "supervisor" }, timestamp: pino.stdTimeFunctions.isoTime },
      { write: (s: string) => emit("supervisor", "supervisor", s.trimEnd()) },
    );
    hub = createIpcHub({ log: hubLog });
  }

  // ---- child environments
  const urlOf = (name: string, host = "localhost") => `http://${host}:${ports[name]}/graphql`;
  const shared: Env = { ...env, DATA_DIR: dataDir, AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem };
  shared.APOLLO_TELEMETRY_DISABLED ??= "1";
  // Deleted otherwise: a flag inherited from an outer supervisor would point at a hub that is not ours.
  if (hub) shared[IPC_HUB_ENV] = "1";
  else delete shared[IPC_HUB_ENV];
  for (const name of names) {
    shared[portVar(name)] = String(ports[name]);
    // Loopback by address: no resolver round trip, and no ::1 attempt against IPv4-only listeners.
    if (name !== "gateway") shared[`${envName(name)}_URL`] = urlOf(name, "127.0.0.1");
  }
  // Secrets go only to the process that needs them.
  delete shared.AUTH_JWT_PRIVATE_KEY;
  delete shared.ADMIN_EMAIL;
  delete shared.ADMIN_PASSWORD;
  delete shared.SERVICE_TOKEN_SECRET;
  delete shared.DOCUMENT_NUMBER_KEY;
  const envFor = (name: string): Record<string, string> => {
    const e: Env = { ...shared };
    if (name !== "gateway") e.SERVICE_TOKEN_SECRET = serviceTokenSecret;
    if (name === "player") {
      e.AUTH_JWT_PRIVATE_KEY = keys.privateKeyPem;
      e.DOCUMENT_NUMBER_KEY = documentNumberKey;
      if (admin) {
        e.ADMIN_EMAIL = admin.email;
        e.ADMIN_PASSWORD = admin.password;
      }
    }
    return Object.fromEntries(Object.entries(e).filter((kv): kv is [string, string] => kv[1] !== undefined));
  };

  // ---- processes
  const procs: Proc[] = names.map((name) => {
    const spec = entries[name]!;
    let markExited!: () => void;
    let markClosed!: () => void;
    const exited = new Promise<void>((r) => (markExited = r));
    const closed = new Promise<void>((r) => (markClosed = r));
    return {
      name,
      role: name === "gateway" ? "gateway" : "service",
      script: typeof spec === "string" ? spec : spec.script,
      args: typeof spec === "string" ? [] : (spec.args ?? []),
      port: ports[name]!,
      exited,
      markExited,
      closed,
      markClosed,
    };
  });
  const children: Record<string, ChildProcess> = {};

  let phase: "starting" | "running" | "stopping" | "stopped" = "starting";
  let failStartup!: (err: Error) => void;
  const startupFailed = new Promise<never>((_, reject) => (failStartup = reject));
  startupFailed.catch(() => undefined);
  let resolveExit!: (exit: PlatformExit) => void;
  const exited = new Promise<PlatformExit>((r) => (resolveExit = r));

  function launch(p: Proc): void {
    const child = fork(p.script, p.args, {
      cwd: REPO_ROOT,
      env: envFor(p.name),
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops the
      // children in order. A child whose supervisor vanishes stops on its IPC 'disconnect'.
      detached: true,
    });
    p.child = child;
    children[p.name] = child;
    hub?.attach(child, p.name);
    pipeLines(p.name, "stdout", child.stdout);
    pipeLines(p.name, "stderr", child.stderr);
    child.on("error", (err) => say(`${p.name}: ${err.message}`));
    child.on("close", () => p.markClosed());
    child.on("exit", (code, signal) => {
      p.exitInfo = { code, signal };
      p.markExited();
      if (phase === "starting") {
        void Promise.race([p.closed, wait(500)]).then(() =>
          failStartup(new PlatformStartError(`${p.name} exited during start-up (${describeExit(code, signal)})`, p.name, lastLines(p.name))),
        );
      } else if (phase === "running") {
        const reason = `${p.name} exited unexpectedly (${describeExit(code, signal)}); stopping the platform`;
        say(reason);
        void Promise.race([p.closed, wait(500)]).then(() =>
          shutdown({ code: 1, reason, service: p.name, lastLines: lastLines(p.name) }),
        );
      }
    });
  }

  async function waitReady(p: Proc, deadline: number): Promise<void> {
    const url = `http://127.0.0.1:${p.port}/readyz`;
    let last: string;
    for (;;) {
      // The exit handler rejects startupFailed with the full story once the child's output is in.
      if (p.exitInfo) return startupFailed;
      if (phase !== "starting") return;
      try {
        const status = await httpStatus(url, 2_000);
        if (status === 200) return;
        last = `HTTP ${status}`;
      } catch (err) {
        last = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      }
      if (Date.now() >= deadline) {
        throw new PlatformStartError(
          `${p.name} did not become ready within ${seconds(readyTimeoutMs)} (last /readyz: ${last})`,
          p.name,
          lastLines(p.name),
        );
      }
      await wait(Math.min(150, deadline - Date.now()), p.exited);
    }
  }

  async function terminate(list: Proc[]): Promise<void> {
    const running = list.filter(alive);
    if (running.length === 0) return;
    for (const p of running) p.child!.kill("SIGTERM");
    await wait(stopTimeoutMs, Promise.all(running.map((p) => p.exited)));
    for (const p of running.filter(alive)) {
      say(`${p.name} did not stop within ${seconds(stopTimeoutMs)}; killing it`);
      p.child!.kill("SIGKILL");
    }
    await Promise.all(running.map((p) => p.exited));
  }

  let stopping: Promise<void> | undefined;
  function shutdown(exit: PlatformExit): Promise<void> {
    stopping ??= (async () => {
      phase = "stopping";
      // Gateway first: clients lose their front door before the services behind it go away.
      await terminate(procs.filter((p) => p.role === "gateway"));
      await terminate(procs.filter((p) => p.role === "service"));
      await hub?.close().catch(() => undefined);
      phase = "stopped";
      resolveExit(exit);
    })();
    return stopping;
  }

  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(new PlatformStartError("start-up aborted", undefined));
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);

  try {
    // The gateway plans against the committed supergraph and needs no subgraph to start, so every
    // process starts at once; the platform is ready when all of them are.
    const gateway = procs.filter((p) => p.role === "gateway");
    for (const p of gateway) launch(p);
    if (mode === "embedded" && !opts.entries) {
      // One initdb here instead of one per subgraph (see db/pglite-template.ts), while the gateway boots.
      const { ensurePgliteTemplate } = await import("./db/pglite-template.ts");
      await Promise.race([ensurePgliteTemplate(dataDir), startupFailed, aborted]);
    }
    for (const p of procs) if (p.role !== "gateway") launch(p);
    const deadline = Date.now() + readyTimeoutMs;
    await Promise.race([Promise.all(procs.map((p) => waitReady(p, deadline))), startupFailed, aborted]);
    phase = "running";
  } catch (err) {
    await shutdown({ code: 1, reason: (err as Error).message });
    throw err;
  }

  return {
    gatewayUrl: urlOf("gateway"),
    wsUrl: urlOf("gateway").replace(/^http/, "ws"),
    urls: Object.fromEntries(names.map((n) => [n, urlOf(n)])),
    ports: { ...ports },
    mode,
    events,
    dataDir,
    admin,
    keys: { source: keys.source, ...(keys.dir ? { dir: keys.dir } : {}) },
    startupMs: Math.round(performance.now() - startedAt),
    children,
    logs: (name?: string) => (name === undefined ? buffer : buffer.filter((b) => b.name === name)).map((b) => b.line),
    stop: () => shutdown({ code: 0, reason: "stopped" }),
    exited,
  };
}
