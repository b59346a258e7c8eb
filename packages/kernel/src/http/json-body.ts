import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Plain-JSON helpers for the kernel's fast routes (internal APIs served straight from node:http):
 * the same acceptance and limits as express.json(), without express.
 */

/** Thrown (rejected) for a body that is not a JSON object or array within the size limit. */
export class JsonBodyError extends Error {
  override readonly name = "JsonBodyError";
}

/** application/json (or *+json) in UTF-8, as express.json() parses it; anything else goes to express. */
export function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.toLowerCase().split(";");
  const t = type!.trim();
  if (t !== "application/json" && !(t.startsWith("application/") && t.endsWith("+json"))) return false;
  return params.every((p) => {
    const [name, value] = p.split("=").map((x) => x.trim().replace(/^"(.*)"$/, "$1"));
    return name === "" || (name === "charset" && (value === "utf-8" || value === "utf8"));
  });
}

/** The body as express.json() reads it: at most `maxBytes`, an object or an array (strict), {} when empty. */
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    return Promise.reject(new JsonBodyError(`body over ${maxBytes} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        reject(new JsonBodyError(`body over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () => {
      if (size > maxBytes) return;
      const text = Buffer.concat(chunks, size).toString("utf8");
      if (text.trim() === "") return resolve({});
      try {
        const value: unknown = JSON.parse(text);
        if (value === null || typeof value !== "object") return reject(new JsonBodyError("body is not a JSON object or array"));
        resolve(value);
      } catch {
        reject(new JsonBodyError("body is not JSON"));
      }
    });
  });
}

/** Writes a JSON answer with its length (no ETag, no compression: internal callers). */
export function writeJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
