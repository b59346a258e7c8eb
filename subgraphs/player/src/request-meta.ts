import { AsyncLocalStorage } from "node:async_hooks";
import type { Express } from "express";

/** What the HTTP request says about the client, recorded on the sessions it starts. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

const storage = new AsyncLocalStorage<ClientInfo>();

/**
 * The kernel builds the GraphQL context from the token alone; this middleware, mounted before
 * /graphql, keeps the User-Agent and address of the request for the context to pick up. Behind the
 * gateway they are the gateway's unless it forwards `user-agent` and `x-forwarded-for`.
 */
export function captureClientInfo(app: Express): void {
  app.use("/graphql", (req, _res, next) => {
    storage.run({ userAgent: req.get("user-agent")?.slice(0, 256) ?? null, ip: req.ip ?? null }, next);
  });
}

export const currentClientInfo = (): ClientInfo => storage.getStore() ?? { userAgent: null, ip: null };
