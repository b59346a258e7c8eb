import { badInput } from "./errors.ts";

// ICU knows every assigned ISO 3166-1 region; unassigned codes come back unnamed or as the code itself.
const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** Normalises an ISO 3166-1 alpha-2 country code ("gb" -> "GB"); anything else is bad input on `field`. */
export function parseCountry(raw: string, field = "country"): string {
  const code = raw.trim().toUpperCase();
  const name = /^[A-Z]{2}$/.test(code) ? regionNames.of(code) : undefined;
  if (!name || name === code || name === "Unknown Region") throw badInput(`"${raw}" is not an ISO 3166-1 alpha-2 country code`, field);
  return code;
}
