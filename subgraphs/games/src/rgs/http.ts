/**
 * The RGS callbacks on the games service's HTTP server: POST /rgs/<provider code>/<endpoint>, e.g.
 * /rgs/hub88/transaction/bet. The body is read raw (signatures cover its exact bytes) and handed to
 * the adapter of the provider's protocol.
 */
import type { Logger } from "@casino/kernel/logger";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { RgsRequest, RgsResponse } from "./adapter.ts";
import type { RgsProviders } from "./providers.ts";
import type { GameTransactionService } from "./service.ts";

export const RGS_PREFIX = "/rgs";
const BODY_LIMIT = "64kb";

function send(res: Response, r: RgsResponse): void {
  res.status(r.status);
  for (const [name, value] of Object.entries(r.headers)) res.setHeader(name, value);
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(r.body);
}

export function mountRgsRoutes(app: Express, providers: RgsProviders, service: GameTransactionService, log: Logger): void {
  const router = express.Router();
  router.post("/:provider/*endpoint", express.raw({ type: () => true, limit: BODY_LIMIT }), async (req: Request, res: Response) => {
    const code = String(req.params.provider);
    const lookup = await providers.lookup(code);
    if (!lookup) {
      res.status(404).json({ error: "unknown RGS provider" });
      return;
    }
    const segments = req.params.endpoint as unknown as string[];
    const request: RgsRequest = { endpoint: `/${segments.join("/")}`, body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers };
    try {
      send(res, await lookup.adapter.handle(request, lookup.provider, service));
    } catch (err) {
      log.error({ err, provider: code, endpoint: request.endpoint }, "RGS callback failed");
      send(res, lookup.adapter.internalError(request, lookup.provider));
    }
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
  app.use(RGS_PREFIX, router);
}
