/**
 * Runs the GAMSTOP fake on its own: `node --import tsx clients/gamstop-fake/src/main.ts`.
 *   GAMSTOP_API_KEY          the key clients must send in X-API-Key (required)
 *   GAMSTOP_FAKE_PORT        port to listen on (default 4010; 0 picks a free one)
 *   GAMSTOP_FAKE_HOST        interface to listen on (default 127.0.0.1)
 *   GAMSTOP_FAKE_EXCLUSIONS  optional JSON array of { firstName, lastName, dateOfBirth, email, postcode, status: "Y" | "P" }
 */
import { startGamstopFake, type GamstopFakeExclusion } from "./fake.ts";

const apiKey = process.env.GAMSTOP_API_KEY;
if (!apiKey) {
  process.stderr.write("gamstop-fake: set GAMSTOP_API_KEY to the key clients will send\n");
  process.exit(1);
}
const port = Number(process.env.GAMSTOP_FAKE_PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write("gamstop-fake: GAMSTOP_FAKE_PORT must be a port number\n");
  process.exit(1);
}
const exclusions = process.env.GAMSTOP_FAKE_EXCLUSIONS ? (JSON.parse(process.env.GAMSTOP_FAKE_EXCLUSIONS) as GamstopFakeExclusion[]) : [];

const fake = await startGamstopFake({ apiKey, port, host: process.env.GAMSTOP_FAKE_HOST ?? "127.0.0.1", exclusions });
process.stdout.write(`gamstop-fake listening on ${fake.url} (${exclusions.length} exclusion(s) loaded)\n`);

// `on`, not `once`: under tsx a signal with no listener left exits at once, before stop() finishes.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void fake.stop().then(() => process.exit(0));
  });
}
