import type { Principal } from "@casino/kernel/auth/principal";

/**
 * What the gateway knows about one operation. The subgraphs verify the token again, so the gateway
 * only needs the principal for its own decisions and forwards the header unchanged.
 */
export interface GatewayContext {
  principal: Principal;
  /** The caller's `Authorization` header exactly as received; absent for anonymous callers. */
  authorization: string | undefined;
  requestId: string;
  /** The client's User-Agent and address, so that subgraphs record who they served (sessions). */
  userAgent?: string | undefined;
  clientIp?: string | undefined;
}

/** Headers every subgraph request carries, whether it serves an HTTP query or a subscription refetch. */
export function forwardedHeaders(context: Partial<GatewayContext> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (context?.authorization) headers.authorization = context.authorization;
  if (context?.requestId) headers["x-request-id"] = context.requestId;
  if (context?.userAgent) headers["user-agent"] = context.userAgent;
  if (context?.clientIp) headers["x-forwarded-for"] = context.clientIp;
  return headers;
}
