/**
 * npm run rng:certify [-- --spins N --raw-bytes N --draws-per-cell N --dieharder-tests 0,1,2 | --dieharder-all --out DIR]
 *
 * An RNG and game-math certification report an operator can hand to a test lab, written to
 * bench-results/rng-certification.{md,json} (git-ignored):
 *   - the RNG's description: source, scaling, recording;
 *   - on raw output: frequency (monobit), runs, serial correlation, byte chi-square, Kolmogorov-Smirnov;
 *   - on scaled output: chi-square per Five Crowns reel (its strip length) and for roulette (37);
 *   - `ent` and `dieharder -g 200` on the same raw output when they are on PATH (nothing is installed;
 *     their absence is reported and the rest still runs);
 *   - Five Crowns: the exact RTP by enumeration and a --spins (default 10,000,000) paid-spin
 *     simulation against its 99 % confidence interval; European roulette's exact RTP per bet kind.
 * Every test states its statistic, p-value and result at 99 % confidence (alpha = 0.01). Exits 1
 * when a test fails.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { BatchedCryptoRng, CryptoRandomSource, CryptoRng, MAX_RANGE, type Rng } from "../subgraphs/games/src/rng/rng.ts";
import {
  chiSquareUniformity,
  kolmogorovSmirnovUniform,
  monobitTest,
  runsTest,
  serialCorrelationTest,
  chiSquareSurvival,
  twoSidedNormalP,
  type TestResult,
} from "../subgraphs/games/src/rng/statistics.ts";
import { fiveCrowns, fiveCrownsMathematics, simulate } from "../subgraphs/games/src/proprietary/slot/index.ts";
import { POCKETS, spinWheel, theoreticalRtpByBetKind } from "../subgraphs/games/src/proprietary/roulette/european-roulette.ts";
import { writeRawOutput } from "./rng-raw.ts";

const ALPHA = 0.01;
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/**
 * dieharder tests rated "Good" that take seconds each here (about 100 s together on 2 cores): all of
 * them but 17 (Marsaglia-Tsang GCD, about 100 s alone) and 200 (needs an ntuple); --dieharder-all
 * runs `-a`, --dieharder-tests picks a list.
 */
const DIEHARDER_DEFAULT_TESTS = [0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 15, 16, 100, 101, 102, 202, 203, 204, 205, 206, 207, 208, 209];

interface Options {
  spins: number;
  rawBytes: number;
  drawsPerCell: number;
  dieharderAll: boolean;
  dieharderTests: number[];
  outDir: string;
}

function parseOptions(args: string[]): Options {
  const value = (flag: string, fallback: number) => {
    const index = args.indexOf(flag);
    if (index === -1) return fallback;
    const n = Number(args[index + 1]);
    if (!Number.isSafeInteger(n) || n < 1) fail(`${flag} needs a positive integer`);
    return n;
  };
  const outIndex = args.indexOf("--out");
  const testsIndex = args.indexOf("--dieharder-tests");
  const dieharderTests = testsIndex === -1 ? DIEHARDER_DEFAULT_TESTS : (args[testsIndex + 1] ?? "").split(",").map(Number);
  if (dieharderTests.some((id) => !Number.isInteger(id) || id < 0)) fail("--dieharder-tests needs a comma-separated list of test numbers");
  return {
    spins: value("--spins", 10_000_000),
    rawBytes: value("--raw-bytes", 16 * 1024 * 1024),
    drawsPerCell: value("--draws-per-cell", 20_000),
    dieharderAll: args.includes("--dieharder-all"),
    dieharderTests,
    outDir: outIndex === -1 ? path.join(REPO_ROOT, "bench-results") : path.resolve(args[outIndex + 1] ?? fail("--out needs a folder")),
  };
}

function fail(message: string): never {
  process.stderr.write(`rng:certify: ${message}\n`);
  process.exit(2);
}

const log = (line: string) => process.stderr.write(`${line}\n`);

function onPath(tool: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, tool);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function rawBytes(size: number): Uint8Array {
  const source = new CryptoRandomSource();
  const words = new Uint32Array(Math.ceil(size / 4));
  for (let i = 0; i < words.length; i++) words[i] = source.uint32();
  return new Uint8Array(words.buffer, 0, size);
}

function rawOutputTests(bytes: Uint8Array): TestResult[] {
  const byteCounts = new Array<number>(256).fill(0);
  for (const byte of bytes) byteCounts[byte]!++;
  const words = new Uint32Array(bytes.buffer, 0, Math.min(1_000_000, Math.floor(bytes.length / 4)));
  const unit = Float64Array.from(words, (w) => w / 2 ** 32);
  return [
    monobitTest(bytes, ALPHA),
    runsTest(bytes, ALPHA),
    serialCorrelationTest(bytes, ALPHA),
    chiSquareUniformity("Byte frequencies (chi-square, 256 cells), raw bytes", byteCounts, ALPHA),
    kolmogorovSmirnovUniform("Kolmogorov-Smirnov, raw 32-bit words / 2^32", unit, ALPHA),
  ];
}

/** Reel stops and roulette pockets through both scaling paths: single draws, and batched draws (several values per word). */
function scaledOutputTests(drawsPerCell: number): TestResult[] {
  const paths: Array<[string, Rng]> = [
    ["single draws", new CryptoRng()],
    ["batched draws", new BatchedCryptoRng()],
  ];
  return paths.flatMap(([label, rng]) => {
    const reelTests = fiveCrowns.lengths.map((length, reel) => {
      const counts = new Array<number>(length).fill(0);
      for (let i = 0; i < drawsPerCell * length; i++) counts[rng.int(length)]!++;
      return chiSquareUniformity(`Five Crowns reel ${reel + 1} stops (n = ${length}), ${label}, chi-square`, counts, ALPHA);
    });
    const pockets = new Array<number>(POCKETS).fill(0);
    for (let i = 0; i < drawsPerCell * POCKETS; i++) pockets[spinWheel(rng)]!++;
    return [...reelTests, chiSquareUniformity(`European roulette pockets (n = ${POCKETS}), ${label}, chi-square`, pockets, ALPHA)];
  });
}

interface ExternalTool {
  tool: string;
  present: boolean;
  note: string;
  tests: TestResult[];
}

function runEnt(bytes: Uint8Array): ExternalTool {
  const ent = onPath("ent");
  if (!ent) return { tool: "ent", present: false, note: "ent is not on PATH (Debian package `ent`); skipped.", tests: [] };
  const file = path.join(os.tmpdir(), `rng-certify-${process.pid}.bin`);
  fs.writeFileSync(file, bytes);
  try {
    const run = spawnSync(ent, ["-t", file], { encoding: "utf8" });
    const [, values] = run.stdout.trim().split("\n");
    const [, size, entropy, chiSquare, mean, monteCarloPi, serialCorrelation] = (values ?? "").split(",").map(Number);
    if (!size || [entropy, chiSquare, mean, monteCarloPi, serialCorrelation].some((v) => v === undefined || Number.isNaN(v))) {
      return { tool: "ent", present: true, note: `ent output not understood: ${run.stdout} ${run.stderr}`, tests: [] };
    }
    const meanZ = (mean! - 127.5) / Math.sqrt((256 * 256 - 1) / 12 / size);
    const serialZ = serialCorrelation! * Math.sqrt(size);
    const result = (name: string, statistic: number, pValue: number, detail: string): TestResult => ({ name, statistic, pValue, alpha: ALPHA, passed: pValue >= ALPHA, detail });
    return {
      tool: "ent",
      present: true,
      note: `ent -t on ${size} raw bytes: entropy ${entropy!.toFixed(6)} bits/byte, Monte Carlo pi ${monteCarloPi!.toFixed(6)} (p-values computed here from ent's statistics).`,
      tests: [
        result("ent chi-square (256 cells)", chiSquare!, chiSquareSurvival(chiSquare!, 255), "df = 255"),
        result("ent arithmetic mean", mean!, twoSidedNormalP(meanZ), `expected 127.5, z = ${meanZ.toFixed(3)}`),
        result("ent serial correlation coefficient", serialCorrelation!, twoSidedNormalP(serialZ), `z = ${serialZ.toFixed(3)}`),
      ],
    };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** dieharder -g 200 reads raw words from stdin: we feed it the games RNG until it has what it needs. */
async function runDieharder(all: boolean, testIds: number[]): Promise<ExternalTool> {
  const dieharder = onPath("dieharder");
  if (!dieharder) return { tool: "dieharder", present: false, note: "dieharder is not on PATH (Debian package `dieharder`); skipped.", tests: [] };
  const selections = all ? [["-a"]] : testIds.map((id) => ["-d", String(id)]);
  const tests: TestResult[] = [];
  for (const selection of selections) {
    const testStarted = performance.now();
    const child = spawn(dieharder, ["-g", "200", ...selection], { stdio: ["pipe", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
    await Promise.race([writeRawOutput(child.stdin, undefined), exited]);
    await exited;
    for (const line of output.split("\n")) {
      // "   diehard_birthdays|   0|       100|     100|0.42988559|  PASSED"
      const cells = line.split("|").map((c) => c.trim());
      if (cells.length !== 6 || !/^[0-9.]+$/.test(cells[4]!)) continue;
      const [name, ntup, tsamples, psamples, p, assessment] = cells as [string, string, string, string, string, string];
      const pValue = Number(p);
      tests.push({
        name: `dieharder ${name}${ntup !== "0" ? ` (ntup ${ntup})` : ""}`,
        statistic: pValue,
        pValue,
        alpha: 0.000001,
        passed: assessment !== "FAILED",
        detail: `${assessment}; ${tsamples} tsamples x ${psamples} psamples (KS p-value over psamples)`,
      });
    }
    log(`  dieharder ${selection.join(" ")}: ${((performance.now() - testStarted) / 1000).toFixed(1)} s`);
  }
  const weak = tests.filter((t) => t.detail.startsWith("WEAK")).length;
  return {
    tool: "dieharder",
    present: true,
    note: `dieharder -g 200 ${all ? "-a" : `-d ${testIds.join(",")} (use --dieharder-all for -a)`}, fed by the games RNG's raw words. dieharder's own assessment: FAILED when p < 0.000001 or p > 0.999999, WEAK when p < 0.005 or p > 0.995 (expected by chance in about 1 % of results; ${weak} here).`,
    tests,
  };
}

function format(value: number): string {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e7 ? value.toFixed(magnitude >= 100 ? 2 : 6) : value.toExponential(4);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).stdout?.trim() || "unknown";

  log(`raw output: ${options.rawBytes} bytes`);
  const bytes = rawBytes(options.rawBytes);
  const raw = rawOutputTests(bytes);
  log("scaled output: reel stops and roulette pockets");
  const scaled = scaledOutputTests(options.drawsPerCell);
  log("external tools");
  const ent = runEnt(bytes);
  const dieharder = await runDieharder(options.dieharderAll, options.dieharderTests);

  log("Five Crowns: exact mathematics");
  const math = fiveCrownsMathematics();
  log(`Five Crowns: simulating ${options.spins} paid spins`);
  const simulationStarted = performance.now();
  // Batched draws: the simulation is also evidence for that path (its RTP against the exact one).
  const simulation = simulate(options.spins, new BatchedCryptoRng(), 1 - ALPHA);
  const simulationSeconds = (performance.now() - simulationStarted) / 1000;
  const rtpTest: TestResult = {
    name: `Five Crowns simulated RTP over ${options.spins} paid spins vs exact`,
    statistic: simulation.rtp,
    pValue: twoSidedNormalP(((simulation.rtp - simulation.theoreticalRtp) * Math.sqrt(options.spins)) / math.standardDeviation),
    alpha: ALPHA,
    passed: simulation.withinBound,
    detail: `exact ${format(simulation.theoreticalRtp)}, 99 % interval [${format(simulation.bound.low)}, ${format(simulation.bound.high)}]`,
  };
  const roulette = Object.entries(theoreticalRtpByBetKind()).map(([kind, rtp]) => ({ kind, rtp: rtp.toString(), percent: rtp.mul(100n).toDecimal(4) }));

  const allTests = [...raw, ...scaled, ...ent.tests, rtpTest];
  const failures = [...allTests, ...dieharder.tests].filter((t) => !t.passed);
  const report = {
    generatedAt: new Date().toISOString(),
    commit,
    environment: { node: process.version, openssl: process.versions.openssl, platform: `${os.platform()} ${os.release()} ${os.arch()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
    rng: {
      source: `node:crypto randomFillSync (OpenSSL ${process.versions.openssl} DRBG, seeded and reseeded by the operating system) into a 64 KiB pool read as 32-bit words and refilled when used up; one pool per RNG instance, no seeding API.`,
      scaling: `Rejection sampling: for a range n (1 <= n <= ${MAX_RANGE}), a 32-bit word (48-bit, from two words, above 2^32) w is accepted when w < floor(2^b / n) * n and mapped to w mod n; otherwise discarded and redrawn. Exactly uniform; no float multiplication, no bare modulo.`,
      recording: "RecordingRng stores, per draw, the range, the word width, every raw word consumed (rejected ones included) and the scaled value; verifyRecordedDraw re-derives the value for an auditor.",
    },
    confidence: 1 - ALPHA,
    tests: allTests,
    externalTools: [ent, dieharder].map(({ tool, present, note, tests }) => ({ tool, present, note, results: tests })),
    slot: {
      version: fiveCrowns.version,
      combinations: math.combinations.toString(),
      exactRtp: { numerator: math.rtp.numerator.toString(), denominator: math.rtp.denominator.toString(), percent: math.rtp.mul(100n).toDecimal(6) },
      baseRtpPercent: math.baseRtp.mul(100n).toDecimal(6),
      featureRtpPercent: math.featureRtp.mul(100n).toDecimal(6),
      hitFrequency: { exact: math.hitFrequency.toString(), percent: math.hitFrequency.mul(100n).toDecimal(4) },
      featureFrequency: { exact: math.featureFrequency.toString(), oneIn: Number(math.featureFrequency.denominator) / Number(math.featureFrequency.numerator) },
      expectedFreeSpins: math.expectedFreeSpins.toDecimal(6),
      standardDeviationPerSpin: math.standardDeviation,
      simulation: { ...simulation, seconds: simulationSeconds },
    },
    roulette,
    failures: failures.map((t) => t.name),
    seconds: (performance.now() - started) / 1000,
  };

  fs.mkdirSync(options.outDir, { recursive: true });
  const jsonPath = path.join(options.outDir, "rng-certification.json");
  const mdPath = path.join(options.outDir, "rng-certification.md");
  fs.writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(mdPath, markdown(report, allTests, [ent, dieharder], options));
  log(`wrote ${path.relative(process.cwd(), mdPath)} and ${path.relative(process.cwd(), jsonPath)} in ${report.seconds.toFixed(1)} s`);
  process.stdout.write(summary(report, allTests, [ent, dieharder]));
  process.exit(failures.length === 0 ? 0 : 1);
}

type Report = {
  generatedAt: string;
  commit: string;
  environment: Record<string, unknown>;
  rng: { source: string; scaling: string; recording: string };
  slot: {
    version: { gameId: string; version: string; paytableHash: string };
    combinations: string;
    exactRtp: { numerator: string; denominator: string; percent: string };
    baseRtpPercent: string;
    featureRtpPercent: string;
    hitFrequency: { exact: string; percent: string };
    featureFrequency: { exact: string; oneIn: number };
    expectedFreeSpins: string;
    standardDeviationPerSpin: number;
    simulation: ReturnType<typeof simulate> & { seconds: number };
  };
  roulette: { kind: string; rtp: string; percent: string }[];
  failures: string[];
};

function row(test: TestResult): string {
  return `| ${test.name} | ${format(test.statistic)} | ${format(test.pValue)} | ${test.alpha} | ${test.passed ? "pass" : "**FAIL**"} | ${test.detail} |`;
}

function markdown(report: Report, tests: TestResult[], tools: ExternalTool[], options: Options): string {
  const s = report.slot;
  const sim = s.simulation;
  return `# RNG and game mathematics certification report

Generated ${report.generatedAt} from commit ${report.commit} by \`npm run rng:certify\`.
Environment: ${JSON.stringify(report.environment)}.

**Result: ${report.failures.length === 0 ? "all tests passed" : `${report.failures.length} failed: ${report.failures.join("; ")}`}** at 99 % confidence
(alpha = 0.01 per test; with ${tests.length} tests of our own, about ${(100 * (1 - 0.99 ** tests.length)).toFixed(0)} % of runs of a perfect RNG show
one failure by chance, so a single failure calls for a re-run, a repeated one for investigation).

## 1. RNG description

- **Source.** ${report.rng.source}
- **Scaling.** ${report.rng.scaling}
- **Recording.** ${report.rng.recording}

## 2. Statistical tests (ours)

Raw output: ${options.rawBytes} bytes of the words the scaler consumes. Scaled output: ${options.drawsPerCell} expected draws per cell.

| Test | Statistic | p-value | alpha | Result | Detail |
|---|---|---|---|---|---|
${tests.map(row).join("\n")}

## 3. External suites

${tools
  .map(
    (tool) => `### ${tool.tool}: ${tool.present ? "present" : "absent"}

${tool.note}
${
  tool.tests.length === 0
    ? ""
    : `
| Test | Statistic | p-value | alpha | Result | Detail |
|---|---|---|---|---|---|
${tool.tests.map(row).join("\n")}
`
}`,
  )
  .join("\n")}
## 4. Five Crowns (five-reel video slot)

Game ${s.version.gameId} version ${s.version.version}, paytable SHA-256 \`${s.version.paytableHash}\`.
Exact figures by enumeration of all ${s.combinations} stop combinations, free spins (10 per 3+ scatters, retriggerable, x3) solved in closed form:

| Figure | Value |
|---|---|
| Exact RTP | ${s.exactRtp.numerator} / ${s.exactRtp.denominator} = **${s.exactRtp.percent} %** |
| of which base game / free spins | ${s.baseRtpPercent} % / ${s.featureRtpPercent} % |
| Hit frequency (any win) | ${s.hitFrequency.exact} = ${s.hitFrequency.percent} % |
| Free spins triggered | ${s.featureFrequency.exact} (about 1 in ${s.featureFrequency.oneIn.toFixed(1)}) |
| Expected free spins per trigger | ${s.expectedFreeSpins} |
| Standard deviation per paid spin | ${s.standardDeviationPerSpin.toFixed(4)} total bets |

Simulation: ${sim.spins} paid spins in ${sim.seconds.toFixed(1)} s: RTP **${(100 * sim.rtp).toFixed(4)} %**, 99 % interval around the exact RTP
[${(100 * sim.bound.low).toFixed(4)} %, ${(100 * sim.bound.high).toFixed(4)} %] (half-width ${(100 * sim.bound.halfWidth).toFixed(4)} points, from the exact standard deviation):
**${sim.withinBound ? "within" : "OUTSIDE"}**. Hit frequency ${(100 * sim.hitFrequency).toFixed(4)} %, free spins in ${(100 * sim.featureFrequency).toFixed(4)} % of paid spins,
${sim.freeSpinsPlayed} free spins played, sample standard deviation ${sim.standardDeviation.toFixed(4)} total bets.

## 5. European roulette (single zero)

Exact RTP of every bet of each kind on the table (settlement evaluated on all 37 pockets):

| Bet kind | RTP | % |
|---|---|---|
${report.roulette.map((r) => `| ${r.kind} | ${r.rtp} | ${r.percent} |`).join("\n")}
`;
}

function summary(report: Report, tests: TestResult[], tools: ExternalTool[]): string {
  const s = report.slot;
  return [
    `RNG certification: ${report.failures.length === 0 ? "all passed" : `FAILED: ${report.failures.join("; ")}`}`,
    ...tests.map((t) => `  ${t.passed ? "pass" : "FAIL"}  p=${format(t.pValue).padEnd(11)} ${t.name}`),
    ...tools.map((t) => `  ${t.tool}: ${t.present ? `present, ${t.tests.filter((x) => x.passed).length}/${t.tests.length} passed` : "absent (skipped)"}`),
    `  Five Crowns exact RTP ${s.exactRtp.numerator}/${s.exactRtp.denominator} = ${s.exactRtp.percent} %; simulated ${(100 * s.simulation.rtp).toFixed(4)} % over ${s.simulation.spins} spins, 99 % bound ±${(100 * s.simulation.bound.halfWidth).toFixed(4)} points`,
    "",
  ].join("\n");
}

await main();
