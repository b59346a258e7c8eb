import { inspect } from "node:util";
import { z } from "zod";

/**
 * A credential that must never reach a log or an error message: JSON, String() and util.inspect all
 * print "[redacted]"; only reveal() gives the value, at the one place that signs or verifies.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return "[redacted]";
  }
  toString(): string {
    return "[redacted]";
  }
  [inspect.custom](): string {
    return "Secret([redacted])";
  }
}

/**
 * A secret in a provider's stored credentials: the value itself, or {"env": "NAME"} naming a variable
 * of the games service's environment, so that the database need not hold it.
 */
export function secretSchema(env: Record<string, string | undefined>) {
  return z.union([z.string().min(1), z.object({ env: z.string().regex(/^[A-Z][A-Z0-9_]{0,99}$/) })]).transform((value, ctx) => {
    if (typeof value === "string") return new Secret(value.replaceAll("\\n", "\n"));
    const resolved = env[value.env];
    if (!resolved) {
      ctx.addIssue({ code: "custom", message: `environment variable ${value.env} is not set` });
      return z.NEVER;
    }
    return new Secret(resolved.replaceAll("\\n", "\n"));
  });
}
