import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface GraphQLResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown } }>;
}

/** One helper per operation style: POST a GraphQL operation to the gateway. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphQLResult<T>> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GraphQLResult<T>, "status">;
  return { status: res.status, ...body };
}

/** A graphql-ws client authenticated the way front ends do it: the token in connection_init. */
export function wsClient(httpUrl: string, token?: string, onClose?: (code: number) => void): Client {
  return createClient({
    url: httpUrl.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    // Close codes are observed through `on.closed`; the default handler only prints them.
    onNonLazyError: () => undefined,
    on: onClose ? { closed: (event) => onClose((event as { code: number }).code) } : {},
  });
}

/** Collects the events of one subscription into an array. */
export function collect<T>(client: Client, query: string): { events: T[]; errors: unknown[]; dispose: () => void } {
  const events: T[] = [];
  const errors: unknown[] = [];
  const dispose = client.subscribe<T>(
    { query },
    {
      // A payload may carry errors (e.g. "Live updates are unavailable right now") with or without data.
      next: (value) => {
        if (value.errors?.length) errors.push(...value.errors);
        if (value.data != null) events.push(value.data as T);
      },
      error: (err) => void errors.push(err),
      complete: () => undefined,
    },
  );
  return { events, errors, dispose };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
