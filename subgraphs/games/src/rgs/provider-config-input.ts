/**
 * Pure rules of staff's RGS provider configuration (configureRgsProvider): the input's checks that
 * need no database and no protocol. Messages name fields and placeholders, never a credential's value.
 */
import { appError } from "@casino/kernel/errors";
import { isSupportedCurrency } from "@casino/kernel/money";
import { z } from "zod";
import type { ConfigureRgsProviderInput } from "../generated/graphql.ts";
import type { AnyRgsAdapter } from "./adapter.ts";
import { fillLaunchUrl } from "../launch/launch.ts";

/** A credential as rgs_provider_config stores it: the value, or a reference to the environment. */
export type StoredCredential = string | { env: string };

export interface RgsConfigDraft {
  /** Undefined: a new configuration is enabled, an existing one keeps its state. */
  enabled: boolean | undefined;
  /** The credentials named, by name; undefined when none is. */
  credentials: ReadonlyMap<string, StoredCredential> | undefined;
  /** Upper-case ISO 4217, in the given order without repeats; undefined keeps the stored list. */
  allowedCurrencies: string[] | undefined;
  /** Sorted, without repeats; undefined keeps the stored list. */
  allowedGameCodes: string[] | undefined;
  /** Null removes it, undefined keeps it. */
  launchUrlTemplate: string | null | undefined;
}

/** The placeholders GameLauncher fills in (launch.ts). */
export const LAUNCH_PLACEHOLDERS = ["token", "session", "game", "mode", "currency", "lang"] as const;
/** Plain http only where nothing crosses a network: a launch URL carries the session's bearer token. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
const MAX_TEMPLATE_LENGTH = 2_048;
const MAX_CREDENTIAL_LENGTH = 16_384;
const MAX_CURRENCIES = 50;
const MAX_GAME_CODES = 1_000;
/** The same names secretSchema accepts in {"env": "NAME"}. */
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,99}$/;
const SLUG = /^[a-z0-9][a-z0-9_-]{1,63}$/;

type Issue = { path: string; message: string };

/**
 * A launch URL template: an absolute https URL (http for a loopback host) whose scheme, host and port
 * no placeholder can change, with {token} and only the placeholders the launcher fills in.
 */
export function launchUrlTemplateProblem(template: string): string | null {
  if (template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) return `must be 1-${MAX_TEMPLATE_LENGTH} characters`;
  const names = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!);
  const unknown = names.filter((n) => !(LAUNCH_PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0) return `unknown placeholder {${unknown[0]}}; allowed: ${LAUNCH_PLACEHOLDERS.map((p) => `{${p}}`).join(" ")}`;
  if (/[{}]/.test(template.replace(/\{[a-z]+\}/g, ""))) return "has an unpaired brace";
  if (!names.includes("token")) return "must contain {token} (the game client's session token)";
  const fill = (value: string) => fillLaunchUrl(template, Object.fromEntries(LAUNCH_PLACEHOLDERS.map((p) => [p, value])));
  let url: URL;
  let other: URL;
  try {
    // Digits fit a host and a port alike, so two fillings differ in origin exactly when a placeholder is in it.
    url = new URL(fill("1"));
    other = new URL(fill("2"));
  } catch {
    return "must be an absolute URL, e.g. https://games.example.com/launch?token={token}";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) return "must be an https URL (http only for localhost)";
  if (url.username || url.password) return "must not hold a user name or password";
  if (url.origin !== other.origin) return "must not have placeholders in its scheme, host or port";
  return null;
}

const inputSchema = z.object({
  enabled: z.boolean().nullish(),
  credentials: z
    .array(z.object({ name: z.string(), value: z.string().nullish(), env: z.string().nullish() }))
    .max(20)
    .nullish(),
  allowedCurrencies: z
    .array(
      z
        .string()
        .transform((c) => c.trim().toUpperCase())
        .superRefine((c, ctx) => {
          if (!/^[A-Z]{3}$/.test(c) || !isSupportedCurrency(c)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(c.slice(0, 16))} is not a supported ISO 4217 currency code` });
        }),
    )
    .min(1, "needs at least one currency")
    .max(MAX_CURRENCIES)
    .nullish(),
  allowedGameCodes: z
    .array(
      z
        .string()
        .transform((c) => c.trim())
        .superRefine((c, ctx) => {
          if (!SLUG.test(c)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(c.slice(0, 70))} is not a game code (2-64 lower-case letters, digits, '_' or '-')` });
        }),
    )
    .max(MAX_GAME_CODES)
    .nullish(),
  launchUrlTemplate: z
    .string()
    .transform((t) => t.trim())
    .superRefine((t, ctx) => {
      const problem = launchUrlTemplateProblem(t);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .nullish(),
});

/** BAD_USER_INPUT naming every failing field (`field` the first, `fields` all of them). */
export function invalidFields(issues: readonly Issue[]): never {
  const fields = [...new Set(issues.map((i) => i.path))];
  throw appError("BAD_USER_INPUT", issues.map((i) => `${i.path}: ${i.message}`).join("; "), { field: fields[0], fields });
}

/**
 * The credentials named, checked against the protocol's fields: each a known field, named once,
 * with either a value or (secrets only) an environment variable. A name that is no field of the
 * protocol is shown by position only: it might be a secret pasted into the wrong box.
 */
function parseCredentials(raw: ReadonlyArray<{ name: string; value?: string | null; env?: string | null }>, adapter: Pick<AnyRgsAdapter, "protocol" | "credentialFields">): Map<string, StoredCredential> {
  const fields = new Map(adapter.credentialFields.map((f) => [f.name, f]));
  const credentials = new Map<string, StoredCredential>();
  const issues: Issue[] = [];
  raw.forEach((c, index) => {
    const field = fields.get(c.name);
    if (!field) {
      issues.push({ path: `credentials[${index}].name`, message: `is not a credential of the ${adapter.protocol} protocol (${[...fields.keys()].join(", ")})` });
      return;
    }
    const path = `credentials.${field.name}`;
    const value = c.value ?? null;
    const env = c.env ?? null;
    if (credentials.has(field.name)) issues.push({ path, message: "is named twice" });
    else if ((value === null) === (env === null)) issues.push({ path, message: "give either value or env" });
    else if (env !== null && !field.secret) issues.push({ path, message: "is not a secret: give its value, not env" });
    else if (env !== null && !ENV_NAME.test(env)) issues.push({ path, message: "env must name an environment variable (A-Z, 0-9, _; starting with a letter)" });
    else if (value !== null && (value.trim().length === 0 || value.length > MAX_CREDENTIAL_LENGTH)) issues.push({ path, message: `value must be 1-${MAX_CREDENTIAL_LENGTH} characters, not blank` });
    else credentials.set(field.name, env !== null ? { env } : value!);
  });
  if (issues.length > 0) invalidFields(issues);
  return credentials;
}

/** The input of configureRgsProvider for a provider of the adapter's protocol (its id is parsed by the caller). */
export function parseConfigureRgsProviderInput(input: ConfigureRgsProviderInput, adapter: Pick<AnyRgsAdapter, "protocol" | "credentialFields">): RgsConfigDraft {
  const parsed = inputSchema.safeParse(input);
  if (!parsed.success) {
    // Only the list fields and the template can fail here; credentials' values are never in a message.
    invalidFields(parsed.error.issues.map((issue) => ({ path: String(issue.path[0] ?? "input"), message: issue.message })));
  }
  const v = parsed.data;
  return {
    enabled: v.enabled ?? undefined,
    credentials: v.credentials ? parseCredentials(v.credentials, adapter) : undefined,
    allowedCurrencies: v.allowedCurrencies ? [...new Set(v.allowedCurrencies)] : undefined,
    allowedGameCodes: v.allowedGameCodes ? [...new Set(v.allowedGameCodes)].sort() : undefined,
    // An explicit null removes the template; a field left out keeps it.
    launchUrlTemplate: input.launchUrlTemplate === undefined ? undefined : (v.launchUrlTemplate ?? null),
  };
}
