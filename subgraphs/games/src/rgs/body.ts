/**
 * Reading a callback body the way every protocol needs it: JSON text -> object, then a zod schema,
 * telling apart "the request is malformed or incomplete" (syntax) from "a field has the wrong type"
 * (types), which several protocols answer differently.
 */
import type { z } from "zod";

export type BodyResult<T> = { ok: true; value: T } | { ok: false; kind: "syntax" | "types"; message: string };

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function parseJsonObject(body: Buffer): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return { ok: false, message: "the body is not JSON" };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { ok: false, message: "the body is not a JSON object" };
  return { ok: true, value: parsed as Record<string, unknown> };
}

export function readBody<S extends z.ZodType>(body: Buffer, schema: S): BodyResult<z.infer<S>> {
  return readParsed(parseJsonObject(body), schema);
}

/** readBody for a body already parsed with parseJsonObject (an adapter that also reads fields of it for its answer). */
export function readParsed<S extends z.ZodType>(json: ReturnType<typeof parseJsonObject>, schema: S): BodyResult<z.infer<S>> {
  if (!json.ok) return { ok: false, kind: "syntax", message: json.message };
  const parsed = schema.safeParse(json.value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join(".") || "body";
  // A missing field is a malformed request; a present field of the wrong kind is a type error.
  const missing = issue.path.length > 0 && valueAt(json.value, issue.path) === undefined;
  return { ok: false, kind: missing ? "syntax" : "types", message: `${field}: ${issue.message}` };
}
