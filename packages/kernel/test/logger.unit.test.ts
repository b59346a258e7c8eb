import { Writable } from "node:stream";
import { createLogger } from "../src/logger.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { lines, stream };
}

describe("createLogger", () => {
  it("redacts passwords, tokens and RGS credentials wherever a log line could carry them", () => {
    const { lines, stream } = capture();
    const log = createLogger("test", "info", stream);
    log.info(
      {
        variables: { input: { password: "pw-in-input", credentials: [{ name: "hmacSecret", value: "secret-in-variables" }] } },
        credentials: { operatorPrivateKey: "-----BEGIN PRIVATE KEY-----secret-at-top" },
        row: { credentials: { hmacSecret: "secret-in-row" } },
        session: { refreshToken: "refresh-secret", accessToken: "access-secret" },
        req: { headers: { authorization: "Bearer header-secret" } },
        provider: "aurora-studios",
      },
      "a change",
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const secret of ["pw-in-input", "secret-in-variables", "secret-at-top", "secret-in-row", "refresh-secret", "access-secret", "header-secret"]) {
      expect(line).not.toContain(secret);
    }
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toMatchObject({ provider: "aurora-studios", credentials: "[redacted]", row: { credentials: "[redacted]" }, variables: { input: { credentials: "[redacted]", password: "[redacted]" } } });
  });
});
