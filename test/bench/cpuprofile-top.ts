/**
 * Summarises a V8 .cpuprofile (node --cpu-prof; `BENCH_CPU_PROF=1 npm run bench:wallet` writes one
 * of the wallet process): self time by function and by package, busy time only (idle excluded).
 *
 *   node --import tsx test/bench/cpuprofile-top.ts bench-results/profiles/wallet-<pid>.cpuprofile [top=30]
 */
import fs from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code comes from: an npm package, a workspace, Node itself, or V8's pseudo-frames. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return "node:" + (url.slice(5).split("/")[1] ?? url.slice(5));
  const ws = /\/(packages|subgraphs)\/([^/]+)\//.exec(url);
  if (ws) return `${ws[1]}/${ws[2]}`;
  return url;
}

export function summariseProfile(profile: CpuProfile, top = 30) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === "(idle)") {
      idle += us;
      continue;
    }
    total += us;
    const short = url.replace(/^file:\/\/.*?\/(node_modules|packages|subgraphs)\//, "$1/");
    const key = `${functionName || "(anonymous)"} ${short}${url ? `:${lineNumber + 1}` : ""}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const p = packageOf(url, functionName);
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / total) * 1000) / 10 }));
  return {
    wallSeconds: Math.round((profile.endTime - profile.startTime) / 1e4) / 100,
    busySeconds: Math.round(total / 1e4) / 100,
    idleSeconds: Math.round(idle / 1e4) / 100,
    byPackage: rank(pkg),
    byFunction: rank(fn),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: cpuprofile-top.ts <file.cpuprofile> [top]\n");
    process.exit(2);
  }
  const s = summariseProfile(JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile, Number(process.argv[3] ?? 30));
  process.stdout.write(`wall ${s.wallSeconds} s, busy ${s.busySeconds} s, idle ${s.idleSeconds} s\n\nself time by package:\n`);
  for (const r of s.byPackage) process.stdout.write(`  ${String(r.percent).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.name}\n`);
  process.stdout.write(`\nself time by function:\n`);
  for (const r of s.byFunction) process.stdout.write(`  ${String(r.percent).padStart(5)} %  ${String(r.ms).padStart(7)} ms  ${r.name}\n`);
}
