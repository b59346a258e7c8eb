import type { IncomingMessage, ServerResponse } from "node:http";
import { createHttpServer, type RunningHttpServer } from "../src/http/server.ts";
import { createMetrics } from "../src/http/metrics.ts";
import { createLogger } from "../src/logger.ts";

let http: RunningHttpServer;

const answer = (text: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.end(text);
  return Promise.resolve();
};

beforeAll(async () => {
  http = createHttpServer({ service: "test", port: 0, host: "127.0.0.1", log: createLogger("test", "silent"), metrics: createMetrics("test") });
  http.route("/cb/exact", { accepts: (req) => req.method === "POST", handle: answer("exact route") });
  http.routePrefix("/cb/", { accepts: (req) => req.method === "POST" && !req.url?.includes("decline"), handle: answer("prefix route") }, "/cb/:rest");
  http.app.use((req, res) => {
    res.end(`express ${req.method} ${req.path}`);
  });
  await http.listen();
});
afterAll(async () => {
  await http.close();
});

const call = async (method: string, path: string) => (await fetch(`${http.url}${path}`, { method })).text();

describe("the kernel's fast routes", () => {
  it("serve a prefix's requests that the route accepts, leave the rest to express, and let exact paths win", async () => {
    expect(await call("POST", "/cb/provider/transaction/bet?x=1")).toBe("prefix route");
    expect(await call("POST", "/cb/exact")).toBe("exact route");
    expect(await call("GET", "/cb/provider/transaction/bet")).toBe("express GET /cb/provider/transaction/bet");
    expect(await call("POST", "/cb/decline")).toBe("express POST /cb/decline");
    expect(await call("POST", "/other/cb/x")).toBe("express POST /other/cb/x");
  });

  it("label a prefix route's requests in the access metrics with its pattern, not their paths", async () => {
    await call("POST", "/cb/a/one");
    await call("POST", "/cb/b/two");
    const text = await call("GET", "/metrics");
    const lines = text.split("\n").filter((l) => l.startsWith("http_request_duration_seconds_count{") && l.includes('method="POST"'));
    expect(lines.some((l) => l.includes('route="/cb/:rest"'))).toBe(true);
    expect(lines.some((l) => l.includes("/cb/a/one") || l.includes("/cb/b/two"))).toBe(false);
  });
});
