import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local fake of the GAMSTOP self-exclusion API, for tests and for running the platform locally.
 *
 * It follows the API as the public clients describe it (Webservice::GAMSTOP, the swagger "rootPost"
 * client, yaro/gamstop): a form-encoded POST with the operator's key in `X-API-Key`, the answer in the
 * response headers `X-Exclusion` (Y / N / P), `X-Unique-Id` and `Date`, an empty body; 400 for missing
 * or invalid fields, 403 for a missing or wrong key, 405 for anything but POST.
 *
 * Matching follows the documented significance rules: first and last name on their first 20
 * characters, case-insensitively; postcode without spaces, case-insensitively; email
 * case-insensitively; date of birth exactly.
 */

export type GamstopFakeStatus = "Y" | "P";

export interface GamstopFakePerson {
  firstName: string;
  lastName: string;
  /** yyyy-mm-dd */
  dateOfBirth: string;
  email: string;
  postcode: string;
}

export interface GamstopFakeExclusion extends GamstopFakePerson {
  status: GamstopFakeStatus;
}

/** What the next request gets instead of a proper answer. */
export type GamstopFakeFailure =
  /** Never answers (the connection stays open until the client gives up or the fake stops). */
  | "timeout"
  /** 500 with no exclusion headers. */
  | "500"
  /** 200 with an unknown `X-Exclusion` and no `X-Unique-Id`. */
  | "garbage"
  /** 200 with an `X-Unique-Id` but no `X-Exclusion`. */
  | "no-exclusion"
  /** 200 with the right `X-Exclusion` but no `X-Unique-Id`. */
  | "no-unique-id";

/** One request as the fake received it. The API key is never recorded, only whether it was right. */
export interface GamstopFakeRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  /** "missing", "wrong" or "valid": the key itself is not kept. */
  apiKey: "missing" | "wrong" | "valid";
  traceId: string | undefined;
  /** The form fields as sent (empty when the body was not form-encoded). */
  fields: Record<string, string>;
  /** The status the fake answered, or null when it held the request ("timeout"). */
  status: number | null;
  /** The X-Exclusion the fake answered, when it answered one. */
  exclusion: "Y" | "N" | "P" | undefined;
}

export interface GamstopFakeOptions {
  apiKey: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  exclusions?: GamstopFakeExclusion[];
  /** Prefix of the X-Unique-Id values; defaults to 8 random hex digits per fake. */
  uniqueIdPrefix?: string;
}

export interface GamstopFake {
  /** The URL to POST checks to (the operator's "GAMSTOP API URL"). */
  readonly url: string;
  /** Every request received so far, oldest first, without the API key. */
  readonly requests: readonly GamstopFakeRequest[];
  /** Registers (or re-registers) a person as self-excluded ("Y") or previously excluded ("P"). */
  add(person: GamstopFakePerson, status: GamstopFakeStatus): void;
  /** Makes the next request fail the given way (calls queue up: one failure per request). */
  failNext(mode: GamstopFakeFailure): void;
  /** Forgets the recorded requests and any queued failures (not the registered people). */
  reset(): void;
  stop(): Promise<void>;
}

const REQUIRED_FIELDS = ["firstName", "lastName", "dateOfBirth", "email", "postcode"] as const;
const MAX_BODY_BYTES = 16 * 1024;

/** The matching key of a person: the significant part of each field, in a canonical form. */
export function gamstopMatchKey(person: GamstopFakePerson): string {
  const name = (value: string) => Array.from(value.trim().toLowerCase()).slice(0, 20).join("");
  return [
    name(person.firstName),
    name(person.lastName),
    person.dateOfBirth.trim(),
    person.email.trim().toLowerCase(),
    person.postcode.replace(/\s+/g, "").toUpperCase(),
  ].join("\u0000");
}

function isCalendarDate(raw: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const date = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(raw);
}

/** Field problems the fake answers 400 for; empty when the form is acceptable. */
export function gamstopFormProblems(fields: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const field of REQUIRED_FIELDS) {
    if (!fields[field]?.trim()) problems.push(`${field} is required`);
  }
  if (fields.dateOfBirth?.trim() && !isCalendarDate(fields.dateOfBirth.trim())) problems.push("dateOfBirth must be yyyy-mm-dd");
  if (fields.email?.trim() && !/^[^\s@]+@[^\s@]+$/.test(fields.email.trim())) problems.push("email is invalid");
  return problems;
}

export async function startGamstopFake(options: GamstopFakeOptions): Promise<GamstopFake> {
  if (!options.apiKey) throw new TypeError("startGamstopFake: apiKey is required");
  const apiKey = options.apiKey;
  const people = new Map<string, GamstopFakeStatus>();
  const requests: GamstopFakeRequest[] = [];
  const failures: GamstopFakeFailure[] = [];
  const held = new Set<ServerResponse>();
  const prefix = options.uniqueIdPrefix ?? randomBytes(4).toString("hex");
  let counter = 0;

  const add = (person: GamstopFakePerson, status: GamstopFakeStatus) => {
    people.set(gamstopMatchKey(person), status);
  };
  for (const { status, ...person } of options.exclusions ?? []) add(person, status);

  const answer = (res: ServerResponse, record: GamstopFakeRequest, status: number, headers: Record<string, string> = {}) => {
    record.status = status;
    res.writeHead(status, { ...headers, "content-length": "0", "cache-control": "no-store" });
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const rawKey = req.headers["x-api-key"];
    const presented = Array.isArray(rawKey) ? rawKey[0] : rawKey;
    const contentType = req.headers["content-type"];
    const rawTrace = req.headers["x-trace-id"];
    const record: GamstopFakeRequest = {
      method: req.method ?? "",
      path: req.url ?? "/",
      contentType,
      apiKey: presented === undefined || presented === "" ? "missing" : presented === apiKey ? "valid" : "wrong",
      traceId: Array.isArray(rawTrace) ? rawTrace[0] : rawTrace,
      fields: {},
      status: null,
      exclusion: undefined,
    };
    requests.push(record);

    const body = await readBody(req);
    const isForm = contentType?.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
    if (isForm && body !== undefined) record.fields = Object.fromEntries(new URLSearchParams(body));

    const failure = failures.shift();
    if (failure === "timeout") {
      held.add(res);
      res.on("close", () => held.delete(res));
      return;
    }
    if (failure === "500") return answer(res, record, 500);
    if (failure === "garbage") return answer(res, record, 200, { "x-exclusion": "MAYBE" });
    if (failure === "no-exclusion") return answer(res, record, 200, { "x-unique-id": `${prefix}-broken` });

    if (req.method !== "POST") return answer(res, record, 405, { allow: "POST" });
    if (record.apiKey !== "valid") return answer(res, record, 403);
    if (body === undefined) return answer(res, record, 413);
    if (!isForm || gamstopFormProblems(record.fields).length > 0) return answer(res, record, 400);

    const fields = record.fields as Record<(typeof REQUIRED_FIELDS)[number], string>;
    const exclusion = people.get(gamstopMatchKey(fields)) ?? "N";
    record.exclusion = exclusion;
    if (failure === "no-unique-id") return answer(res, record, 200, { "x-exclusion": exclusion });
    counter += 1;
    answer(res, record, 200, { "x-exclusion": exclusion, "x-unique-id": `${prefix}-${counter.toString(16).padStart(8, "0")}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-length": "0" });
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/`,
    get requests() {
      return requests;
    },
    add,
    failNext(mode) {
      failures.push(mode);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
    },
    async stop() {
      for (const res of held) res.destroy();
      held.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** The request body as text, or undefined when it is larger than the fake accepts. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks).toString("utf8");
}
