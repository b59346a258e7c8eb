/**
 * Helpers of the wallet benchmark (wallet.bench.ts) and its micro-benchmarks: percentiles, pgbench,
 * the wallet as a child process, RSS sampling, closed- and open-loop load with per-operation samples.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";

export const round = (n: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarise(samples: number[]): LatencySummary {
  const s = Float64Array.from(samples).sort();
  return { count: s.length, p50: round(percentile(s, 50)), p90: round(percentile(s, 90)), p99: round(percentile(s, 99)), max: round(s.length ? s[s.length - 1]! : Number.NaN) };
}

/** Latency samples (ms) by operation name, and failures by operation and error code. */
export class Recorder {
  readonly samples = new Map<string, number[]>();
  readonly errors = new Map<string, number>();

  add(op: string, ms: number): void {
    let list = this.samples.get(op);
    if (!list) this.samples.set(op, (list = []));
    list.push(ms);
  }

  fail(op: string, err: unknown): void {
    const code = (err as { code?: string })?.code ?? (err instanceof Error ? err.name : "error");
    const key = `${op}:${code}`;
    this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
  }

  count(op: string): number {
    return this.samples.get(op)?.length ?? 0;
  }

  errorCount(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }

  latency(): Record<string, LatencySummary> {
    return Object.fromEntries([...this.samples].map(([op, list]) => [op, summarise(list)]));
  }
}

/**
 * Closed loop: `concurrency` workers run `iteration` back to back until `seconds` have passed.
 * The iteration records its own per-operation latencies into the recorder.
 */
export async function closedLoop(concurrency: number, seconds: number, iteration: (rec: Recorder) => Promise<void>): Promise<{ rec: Recorder; durationSeconds: number }> {
  const rec = new Recorder();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) await iteration(rec);
    }),
  );
  return { rec, durationSeconds: (performance.now() - started) / 1000 };
}

/**
 * Open loop: iteration i is due at start + i / ratePerSecond whatever happened to earlier ones, and
 * receives its scheduled time so that it can measure latency from it (no coordinated omission: a
 * stall delays the dispatch of later iterations, and that delay counts in their latency).
 * `maxInFlight` only guards against runaway memory when the target cannot keep up; the iterations it
 * holds back are counted as `dropped`.
 */
export async function openLoop(
  ratePerSecond: number,
  seconds: number,
  iteration: (rec: Recorder, scheduledAt: number) => Promise<void>,
  maxInFlight = 2_000,
): Promise<{ rec: Recorder; durationSeconds: number; scheduled: number; dropped: number; ratePerSecond: number }> {
  const rec = new Recorder();
  const intervalMs = 1000 / ratePerSecond;
  const total = Math.floor(ratePerSecond * seconds);
  const started = performance.now();
  let next = 0;
  let inFlight = 0;
  let dropped = 0;
  const pending = new Set<Promise<void>>();
  while (next < total) {
    const now = performance.now();
    while (next < total && started + next * intervalMs <= now) {
      const scheduledAt = started + next * intervalMs;
      next++;
      if (inFlight >= maxInFlight) {
        dropped++;
        continue;
      }
      inFlight++;
      const p: Promise<void> = iteration(rec, scheduledAt).finally(() => {
        inFlight--;
        pending.delete(p);
      });
      pending.add(p);
    }
    // Sleep until the next due time (timers have ~1 ms granularity; the lag counts in latency).
    const wait = started + next * intervalMs - performance.now();
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(wait, 5))));
  }
  await Promise.all(pending);
  return { rec, durationSeconds: (performance.now() - started) / 1000, scheduled: total, dropped, ratePerSecond: round(ratePerSecond) };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL and pgbench

export function connectionParams(databaseUrl: string): { host: string; port: string; user: string; password: string; database: string } {
  const u = new URL(databaseUrl);
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port || "5432",
    user: decodeURIComponent(u.username || "postgres"),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
  };
}

/** The same URL pointing at another database. */
export function withDatabase(databaseUrl: string, database: string): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export function findPgbench(): string | undefined {
  const candidates = [process.env.PGBENCH];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) candidates.push(path.join(dir, "pgbench"));
  try {
    for (const v of fs.readdirSync("/usr/lib/postgresql").sort().reverse()) candidates.push(`/usr/lib/postgresql/${v}/bin/pgbench`);
  } catch {
    // not a Debian layout
  }
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** wrk (Debian package wrk) when it is on the PATH: a C load generator whose own CPU use barely disturbs the 2 shared cores. */
export function findWrk(): string | undefined {
  return (process.env.PATH ?? "").split(path.delimiter).map((d) => path.join(d, "wrk")).find((f) => fs.existsSync(f));
}

/** What the bench's wrk scripts print in done(): latencies in ms, measured from each request's send. */
export interface WrkResult {
  requests: number;
  errors: number;
  non200?: number;
  /** The first answer other than 200 (status and the start of its body), when the script records it. */
  firstBadAnswer?: string;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** One wrk run, one thread and `connections` closed loops, of a script that prints a WRK_RESULT line. */
export async function runWrk(wrk: string, script: string, url: string, connections: number, seconds: number, env: NodeJS.ProcessEnv): Promise<WrkResult> {
  const out = await run(wrk, ["-t1", `-c${connections}`, `-d${seconds}s`, "-s", script, url], { ...process.env, ...env });
  const line = out.stdout.split("\n").find((l) => l.startsWith("WRK_RESULT "));
  if (!line) throw new Error(`wrk printed no result: ${out.stdout.slice(-300)} ${out.stderr.slice(-300)}`);
  const result = JSON.parse(line.slice("WRK_RESULT ".length)) as Omit<WrkResult, "requestsPerSecond">;
  const firstBad = out.stdout.split("\n").find((l) => l.startsWith("WRK_FIRST_BAD "));
  return { ...result, requestsPerSecond: round(result.requests / result.seconds), ...(firstBad ? { firstBadAnswer: firstBad.slice("WRK_FIRST_BAD ".length) } : {}) };
}

/** "tps = 8123.456789 (without initial connection time)" from pgbench's report. */
export function parsePgbenchTps(output: string): number | undefined {
  const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(output) ?? /tps = ([\d.]+) \(excluding connections establishing\)/.exec(output);
  return m ? Number(m[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Processes

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ForkedService {
  child: ChildProcess;
  lastLines(): string[];
  /** SIGTERM (a clean exit writes --cpu-prof profiles), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function forkService(script: string, env: NodeJS.ProcessEnv, execArgv: string[] = ["--import", "tsx"], cwd?: string): ForkedService {
  const child = fork(script, [], { env, execArgv, cwd, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  return {
    child,
    lastLines: () => lines.slice(-40),
    async stop(graceMs = 15_000) {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

export async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the process exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Samples a process's resident set size (VmRSS) every `everyMs`; `peakMiB` also reads VmHWM. */
export class RssSampler {
  private peakKb = 0;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private status(): string | undefined {
    try {
      return fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
    } catch {
      return undefined;
    }
  }

  sample(): void {
    const m = /VmRSS:\s+(\d+) kB/.exec(this.status() ?? "");
    if (m) this.peakKb = Math.max(this.peakKb, Number(m[1]));
  }

  /** Peak of the samples; and the kernel's high-water mark while the process still runs. */
  result(): { sampledPeakMiB: number; hwmMiB: number | undefined } {
    this.sample();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(this.status() ?? "");
    return { sampledPeakMiB: round(this.peakKb / 1024, 1), hwmMiB: hwm ? round(Number(hwm[1]) / 1024, 1) : undefined };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Whether a Redis server answers PING at `url` within a second (benchmarks fall back to in-process events). */
export async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return (await r.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}
