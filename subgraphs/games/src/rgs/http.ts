/**
 * The RGS callbacks on the games service's HTTP server: POST /rgs/<provider code>/<endpoint>, e.g.
 * /rgs/hub88/transaction/bet. The body is read raw (signatures cover its exact bytes) and handed to
 * the adapter of the provider's protocol.
 *
 * Two ways in, one answer. The common callback (POST, a plain path, an uncompressed body with a
 * Content-Length within the limit) is a kernel fast route under "/rgs/", served from node:http
 * without express's router and body-parser. Everything else (other methods, percent-encoded or
 * unusual paths, compressed or chunked bodies, bodies over the limit) goes to the express route
 * below, which gives the answers it always gave (404, 413, 400, 500). test/rgs/http-paths checks
 * that both answer alike.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastRoute } from "@casino/kernel/http/graphql-route";
import type { RunningHttpServer } from "@casino/kernel/http/server";
import type { Logger } from "@casino/kernel/logger";
import express, { type NextFunction, type Request, type Response } from "express";
import type { RgsRequest, RgsResponse } from "./adapter.ts";
import type { ProviderLookup, RgsProviders } from "./providers.ts";
import type { GameTransactionService } from "./service.ts";

export const RGS_PREFIX = "/rgs";
const BODY_LIMIT = "64kb";
/** BODY_LIMIT in bytes, as body-parser reads "64kb". */
const BODY_LIMIT_BYTES = 64 * 1024;
/** The express route's path, which labels its requests in the access metrics; the fast route uses it too. */
const ROUTE_PATH = "/:provider/*endpoint";
/**
 * The paths the fast route takes: /rgs/<code>/<segment>[/<segment>...] of letters, digits, '_' and
 * '-' only (nothing to decode, no dot or empty segments), any query string. The captures are what
 * express gives as `provider` and "/" + `endpoint`.
 */
const FAST_PATH = /^\/rgs\/([A-Za-z0-9_-]+)((?:\/[A-Za-z0-9_-]+)+)(?:\?.*)?$/;
const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

function send(res: ServerResponse, r: RgsResponse): void {
  res.statusCode = r.status;
  for (const [name, value] of Object.entries(r.headers)) res.setHeader(name, value);
  res.setHeader("content-type", JSON_CONTENT_TYPE);
  res.end(r.body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("content-type", JSON_CONTENT_TYPE);
  res.end(JSON.stringify(body));
}

/** One callback of a known provider, whichever way it came in. */
async function answer(res: ServerResponse, lookup: ProviderLookup, code: string, request: RgsRequest, service: GameTransactionService, log: Logger): Promise<void> {
  try {
    send(res, await lookup.adapter.handle(request, lookup.provider, service));
  } catch (err) {
    log.error({ err, provider: code, endpoint: request.endpoint }, "RGS callback failed");
    send(res, lookup.adapter.internalError(request, lookup.provider));
  }
}

/** The Content-Length of a request the fast route may take, or -1. */
function fastBodyLength(req: IncomingMessage): number {
  if (req.method !== "POST") return -1;
  const h = req.headers;
  // Compressed bodies are inflated by body-parser; chunked ones have no length to check up front.
  if (h["content-encoding"] !== undefined || h["transfer-encoding"] !== undefined) return -1;
  const declared = h["content-length"];
  if (declared === undefined || !/^\d{1,6}$/.test(declared)) return -1;
  const length = Number(declared);
  return length <= BODY_LIMIT_BYTES ? length : -1;
}

/** The body of a request whose Content-Length node:http enforces; null when the client went away first. */
function readRaw(req: IncomingMessage, length: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (body: Buffer | null) => {
      if (settled) return;
      settled = true;
      resolve(body);
    };
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    req.on("end", () => settle(size === length ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)) : null));
    req.on("error", () => settle(null));
    req.on("close", () => settle(req.complete && size === length ? Buffer.concat(chunks, size) : null));
  });
}

/** The fast route (see the header). Decides on the method, path and headers alone. */
function rgsFastRoute(providers: RgsProviders, service: GameTransactionService, log: Logger): FastRoute {
  return {
    accepts: (req) => fastBodyLength(req) >= 0 && FAST_PATH.test(req.url ?? ""),
    async handle(req, res) {
      const m = FAST_PATH.exec(req.url ?? "")!;
      const code = m[1]!;
      let lookup: ProviderLookup | null;
      try {
        lookup = await providers.lookup(code);
      } catch (err) {
        log.error({ err }, "RGS route error");
        return sendJson(res, 500, { error: "internal error" });
      }
      if (!lookup) return sendJson(res, 404, { error: "unknown RGS provider" });
      const body = await readRaw(req, fastBodyLength(req));
      if (body === null) {
        // The client went away before its body was complete (express: 400 "request aborted").
        if (!res.headersSent && !res.destroyed) sendJson(res, 400, { error: "bad request" });
        return;
      }
      await answer(res, lookup, code, { endpoint: m[2]!, body, headers: req.headers }, service, log);
    },
  };
}

export function mountRgsRoutes(http: Pick<RunningHttpServer, "app" | "routePrefix">, providers: RgsProviders, service: GameTransactionService, log: Logger): void {
  http.routePrefix(`${RGS_PREFIX}/`, rgsFastRoute(providers, service, log), ROUTE_PATH);
  const router = express.Router();
  router.post(ROUTE_PATH, express.raw({ type: () => true, limit: BODY_LIMIT }), async (req: Request, res: Response) => {
    const code = String(req.params.provider);
    const lookup = await providers.lookup(code);
    if (!lookup) {
      res.status(404).json({ error: "unknown RGS provider" });
      return;
    }
    const segments = req.params.endpoint as unknown as string[];
    const request: RgsRequest = { endpoint: `/${segments.join("/")}`, body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers };
    await answer(res, lookup, code, request, service, log);
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status;
    if (status && status < 500) {
      res.status(status).json({ error: status === 413 ? `the body is larger than ${BODY_LIMIT}` : "bad request" });
      return;
    }
    log.error({ err }, "RGS route error");
    res.status(500).json({ error: "internal error" });
  });
  http.app.use(RGS_PREFIX, router);
}
