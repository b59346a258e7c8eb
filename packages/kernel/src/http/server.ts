import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express, type Request } from "express";
import type { Logger } from "../logger.ts";
import type { FastRoute } from "./graphql-route.ts";
import type { Metrics } from "./metrics.ts";

export type ReadinessCheck = () => Promise<void>;

export interface HttpServerOptions {
  service: string;
  port: number;
  host?: string;
  log: Logger;
  metrics: Metrics;
  /** Each must resolve for /readyz to answer 200. */
  readiness?: ReadinessCheck[];
}

export interface RunningHttpServer {
  app: Express;
  /**
   * Serves requests for exactly `path` (no trailing slash, any query string) that `route.accepts`
   * without going through express; the rest of that path's requests still reach `app`.
   */
  route(path: string, route: FastRoute): void;
  /**
   * Serves requests under `prefix` (e.g. "/rgs/") that `route.accepts`, when no exact-path route
   * took them, without going through express; the rest still reach `app`. Their paths are open
   * ended, so the access metrics label them `label` (a route pattern, e.g. "/rgs/:provider/*").
   */
  routePrefix(prefix: string, route: FastRoute, label: string): void;
  server: http.Server;
  url: string;
  port: number;
  /** Starts listening; call after every route has been mounted. */
  listen(): Promise<void>;
  close(): Promise<void>;
}

export function requestIdOf(req: Request): string {
  return (req.headers["x-request-id"] as string | undefined) ?? "unknown";
}

/**
 * The HTTP shell every process shares: request ids, access metrics, /healthz, /readyz, /metrics.
 * GraphQL and REST callbacks are mounted on `app` by the caller.
 */
export function createHttpServer(opts: HttpServerOptions): RunningHttpServer {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");
  const routes = new Map<string, FastRoute>();
  const prefixRoutes: Array<{ prefix: string; route: FastRoute; label: string }> = [];

  /** The fast route that takes this request, with its metrics label; undefined: express serves it. */
  const fastRouteOf = (req: http.IncomingMessage, pathname: string): { route: FastRoute; label: string } | undefined => {
    const exact = routes.get(pathname);
    if (exact?.accepts(req)) return { route: exact, label: pathname };
    for (const p of prefixRoutes) if (pathname.startsWith(p.prefix) && p.route.accepts(req)) return p;
    return undefined;
  };

  // Request ids and access metrics for every request, whether express or a fast route serves it.
  const server = http.createServer((req, res) => {
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    req.headers["x-request-id"] = id;
    res.setHeader("x-request-id", id);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q < 0 ? url : url.slice(0, q);
    const stop = opts.metrics.httpDuration.startTimer();
    const fast = fastRouteOf(req, pathname);
    res.on("finish", () => {
      // A fast route is labelled with its registered path or pattern (a fixed set); express with its route's.
      const matched = fast ? { path: fast.label } : ((req as Partial<Request>).route as { path?: string } | undefined);
      stop({ method: req.method ?? "", route: matched?.path ?? pathname.split("/").slice(0, 3).join("/"), status: String(res.statusCode) });
    });
    if (fast) {
      fast.route.handle(req, res).catch((err: unknown) => {
        opts.log.error({ err }, "request failed");
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        } else {
          res.destroy();
        }
      });
      return;
    }
    app(req, res);
  });
  // Keep-alive longer than typical proxies' idle timeout so pooled connections are not cut mid-request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  let ready = false;
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", service: opts.service });
  });
  app.get("/readyz", async (_req, res) => {
    if (!ready) {
      res.status(503).json({ status: "starting", service: opts.service });
      return;
    }
    try {
      await Promise.all((opts.readiness ?? []).map((check) => check()));
      res.json({ status: "ready", service: opts.service });
    } catch (err) {
      opts.log.warn({ err }, "readiness check failed");
      res.status(503).json({ status: "unavailable", service: opts.service });
    }
  });
  app.get("/metrics", async (_req, res) => {
    res.setHeader("content-type", opts.metrics.registry.contentType);
    res.send(await opts.metrics.registry.metrics());
  });

  const running: RunningHttpServer = {
    app,
    route(path, route) {
      routes.set(path, route);
    },
    routePrefix(prefix, route, label) {
      prefixRoutes.push({ prefix, route, label });
    },
    server,
    url: "",
    port: opts.port,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      running.port = port;
      running.url = `http://localhost:${port}`;
      ready = true;
    },
    async close() {
      ready = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
    },
  };
  return running;
}
