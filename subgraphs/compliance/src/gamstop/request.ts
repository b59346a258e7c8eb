/**
 * The pure parts of a GAMSTOP check: validating and normalising what is sent, reading what comes back.
 *
 * The API (as its public clients describe it): firstName and lastName (only the first 20 characters
 * are significant), dateOfBirth (yyyy-mm-dd), email, postcode (spaces not significant), and an
 * optional free-form X-Trace-Id kept in GAMSTOP's audit log. The answer is the `X-Exclusion` header:
 * Y = currently self-excluded, N = not registered, P = previously excluded (minimum period lapsed and
 * removal requested).
 */

export type GamstopOutcome = "EXCLUDED" | "NOT_REGISTERED" | "PREVIOUSLY_EXCLUDED";

export interface GamstopCheckRequest {
  firstName: string;
  lastName: string;
  /** yyyy-mm-dd */
  dateOfBirth: string;
  email: string;
  /** A UK postcode, with or without its space, any case. */
  postcode: string;
  /**
   * Kept in GAMSTOP's audit log to find this request again: a request or correlation id, never
   * personal data. A random UUID is used when absent.
   */
  traceId?: string;
}

/** What is sent, after validation: trimmed; postcode upper-case without spaces. */
export interface NormalisedGamstopRequest {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  email: string;
  postcode: string;
  traceId: string | undefined;
}

export type GamstopRequestField = keyof GamstopCheckRequest;

/**
 * The request cannot be sent as it is (a caller or data problem, found before any request).
 * The message names the field and the rule, never the value.
 */
export class GamstopRequestError extends Error {
  override readonly name = "GamstopRequestError";
  constructor(
    readonly field: GamstopRequestField,
    readonly problem: string,
  ) {
    super(`GAMSTOP check request: ${field} ${problem}`);
  }
}

const MAX_NAME_LENGTH = 100;
const MAX_EMAIL_LENGTH = 254;
const MAX_TRACE_ID_LENGTH = 128;
// Outward code (A9, A99, AA9, AA99, A9A, AA9A) + inward code (9AA); GIR 0AA is the one exception.
const UK_POSTCODE = /^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}|GIR0AA)$/;
// Deliberately loose: one @, no spaces, a dot in the domain. GAMSTOP matches the address, it does not mail it.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
// Visible ASCII only: it travels as an HTTP header.
const TRACE_ID_SHAPE = /^[\x21-\x7E]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001F\u007F]/;

function requiredString(req: GamstopCheckRequest, field: Exclude<GamstopRequestField, "traceId">): string {
  const value: unknown = req[field];
  if (typeof value !== "string") throw new GamstopRequestError(field, "is required");
  const trimmed = value.trim();
  if (trimmed === "") throw new GamstopRequestError(field, "is required");
  if (CONTROL_CHARACTERS.test(trimmed)) throw new GamstopRequestError(field, "contains control characters");
  return trimmed;
}

function name(req: GamstopCheckRequest, field: "firstName" | "lastName"): string {
  const value = requiredString(req, field);
  if (Array.from(value).length > MAX_NAME_LENGTH) throw new GamstopRequestError(field, `is longer than ${MAX_NAME_LENGTH} characters`);
  return value;
}

/** True for a real calendar date written yyyy-mm-dd (2001-02-29 is not one). */
export function isCalendarDate(raw: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) return false;
  const date = new Date(`${raw}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(raw);
}

/** A postcode as GAMSTOP compares it: no spaces, upper-case. */
export function normalisePostcode(raw: string): string {
  return raw.replace(/\s+/g, "").toUpperCase();
}

/**
 * Validates and normalises a check request. Throws GamstopRequestError on the first problem.
 * `today` bounds the date of birth (no future dates); it defaults to now.
 */
export function normaliseGamstopRequest(req: GamstopCheckRequest, today: Date = new Date()): NormalisedGamstopRequest {
  if (req === null || typeof req !== "object") throw new GamstopRequestError("firstName", "is required");
  const firstName = name(req, "firstName");
  const lastName = name(req, "lastName");

  const dateOfBirth = requiredString(req, "dateOfBirth");
  if (!isCalendarDate(dateOfBirth)) throw new GamstopRequestError("dateOfBirth", "must be a calendar date yyyy-mm-dd");
  if (dateOfBirth < "1900-01-01") throw new GamstopRequestError("dateOfBirth", "is before 1900-01-01");
  if (dateOfBirth > today.toISOString().slice(0, 10)) throw new GamstopRequestError("dateOfBirth", "is in the future");

  const email = requiredString(req, "email");
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_SHAPE.test(email)) throw new GamstopRequestError("email", "is not an email address");

  const postcode = normalisePostcode(requiredString(req, "postcode"));
  if (!UK_POSTCODE.test(postcode)) throw new GamstopRequestError("postcode", "is not a UK postcode");

  let traceId: string | undefined;
  if (req.traceId !== undefined) {
    if (typeof req.traceId !== "string") throw new GamstopRequestError("traceId", "must be a string");
    traceId = req.traceId.trim();
    if (traceId === "" || traceId.length > MAX_TRACE_ID_LENGTH || !TRACE_ID_SHAPE.test(traceId)) {
      throw new GamstopRequestError("traceId", `must be 1 to ${MAX_TRACE_ID_LENGTH} visible ASCII characters`);
    }
  }
  return { firstName, lastName, dateOfBirth, email, postcode, traceId };
}

/** The form body GAMSTOP expects (application/x-www-form-urlencoded). */
export function gamstopForm(req: NormalisedGamstopRequest): URLSearchParams {
  return new URLSearchParams({
    firstName: req.firstName,
    lastName: req.lastName,
    dateOfBirth: req.dateOfBirth,
    email: req.email,
    postcode: req.postcode,
  });
}

/** Reads an X-Exclusion header value; undefined for a missing or unknown one (never a default). */
export function outcomeFromExclusionHeader(value: string | null | undefined): GamstopOutcome | undefined {
  switch (value?.trim().toUpperCase()) {
    case "Y":
      return "EXCLUDED";
    case "N":
      return "NOT_REGISTERED";
    case "P":
      return "PREVIOUSLY_EXCLUDED";
    default:
      return undefined;
  }
}

/**
 * Whether an outcome forbids registration and play. Only a current self-exclusion (Y) does: P means
 * the person's minimum exclusion period has lapsed and they asked for it to be removed.
 */
export function isBlocking(outcome: GamstopOutcome): boolean {
  return outcome === "EXCLUDED";
}
