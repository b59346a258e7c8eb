import type { IncomingMessage, ServerResponse } from "node:http";
import { HeaderMap, type ApolloServer, type BaseContext } from "@apollo/server";

/**
 * GraphQL over HTTP straight from node:http to Apollo Server, for the common request: a POST with an
 * uncompressed UTF-8 JSON body. Express with body-parser and `@as-integrations/express5` did the same
 * job for about 0.1 ms of CPU more per request in every process (router, type-is, raw-body, negotiator,
 * an ETag hash of every response). Anything else (GET, other content types, compressed bodies,
 * another charset) declines here and reaches the express mount, which stays for it.
 */
export interface FastRoute {
  /** Whether this request is handled here (decided on the headers alone, before the body is read). */
  accepts(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export interface GraphQLRouteOptions<Ctx extends BaseContext> {
  maxBodyBytes: number;
  context(req: IncomingMessage): Promise<Ctx>;
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The `Content-Type` body-parser's json() parses: application/json or *+json, in UTF-8. */
function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(";");
  const type = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (type !== "application/json" && !(type.startsWith("application/") && type.endsWith("+json"))) return false;
  if (semi < 0) return true;
  // Parameters: only charset=utf-8 (any case, optionally quoted) is accepted here.
  for (const param of contentType.slice(semi + 1).split(";")) {
    const eq = param.indexOf("=");
    if (eq < 0) return param.trim() === "";
    const name = param.slice(0, eq).trim().toLowerCase();
    const value = param.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1").toLowerCase();
    if (name === "charset" && value !== "utf-8" && value !== "utf8") return false;
  }
  return true;
}

function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    // Drain without buffering, so the connection stays usable for the error response.
    req.resume();
    return Promise.reject(new BodyError(413, "PAYLOAD_TOO_LARGE", `Request body larger than ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        reject(new BodyError(413, "PAYLOAD_TOO_LARGE", `Request body larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", (err) => {
      failed = true;
      reject(err);
    });
    req.on("end", () => {
      if (failed) return;
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8");
      if (text.length === 0) return resolve({});
      // Like body-parser's strict mode: only an object or an array.
      const first = /^[ \t\n\r]*(.)/.exec(text)?.[1];
      if (first !== "{" && first !== "[") return reject(new BodyError(400, "BAD_REQUEST", "Request body is not valid JSON"));
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new BodyError(400, "BAD_REQUEST", "Request body is not valid JSON"));
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
}

export function graphqlRoute<Ctx extends BaseContext>(server: ApolloServer<Ctx>, opts: GraphQLRouteOptions<Ctx>): FastRoute {
  server.assertStarted("graphqlRoute()");
  return {
    accepts(req) {
      if (req.method !== "POST" || !isPlainJson(req.headers["content-type"])) return false;
      const encoding = req.headers["content-encoding"];
      return encoding === undefined || encoding.toLowerCase() === "identity";
    },
    async handle(req, res) {
      let body: unknown;
      try {
        body = await readJsonBody(req, opts.maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyError) sendJson(res, err.status, { errors: [{ message: err.message, extensions: { code: err.code } }] });
        else res.destroy(err as Error);
        return;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
      }
      const url = req.url ?? "";
      const q = url.indexOf("?");
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: "POST", headers, search: q < 0 ? "" : url.slice(q), body },
        context: () => opts.context(req),
      });
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === "complete") {
        res.setHeader("content-length", Buffer.byteLength(response.body.string));
        res.end(response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    },
  };
}
