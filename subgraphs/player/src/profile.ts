import { badInput } from "@casino/kernel/errors";

/** The profile a player may give at registration and change later (not date of birth or country). */
export interface ProfileFields {
  firstName: string | null;
  lastName: string | null;
  addressLine1: string | null;
  addressLine2: string | null;
  city: string | null;
  postcode: string | null;
}

export type ProfileInput = { [K in keyof ProfileFields]?: string | null };

export const EMPTY_PROFILE: ProfileFields = { firstName: null, lastName: null, addressLine1: null, addressLine2: null, city: null, postcode: null };

/** Letters of any script, combining marks, spaces, apostrophes, hyphens and dots ("Ó Briain", "Smith-Jones"). */
const NAME = /^\p{L}[\p{L}\p{M}' .\u2019-]*$/u;
const CONTROL = /\p{Cc}/u;
/** UK format, also used by the Crown Dependencies (Jersey, Guernsey, Isle of Man). */
const UK_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;
const UK_POSTCODE_COUNTRIES = new Set(["GB", "JE", "GG", "IM"]);
const OTHER_POSTCODE = /^[A-Z0-9][A-Z0-9 -]{0,8}[A-Z0-9]$/;

const collapse = (raw: string) => raw.trim().replace(/\s+/g, " ");

function text(raw: string, field: string, max: number): string {
  const value = collapse(raw);
  if (value === "") throw badInput(`${field} must not be empty`, field);
  if (value.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  if (CONTROL.test(value)) throw badInput(`${field} contains control characters`, field);
  return value;
}

export function parseName(raw: string, field: "firstName" | "lastName"): string {
  const value = text(raw, field, 100);
  if (!NAME.test(value)) throw badInput(`${field} may contain only letters, spaces, apostrophes, hyphens and dots`, field);
  return value;
}

/** Upper case; a UK postcode gets its single space back before the inward code ("sw1a1aa" -> "SW1A 1AA"). */
export function parsePostcode(raw: string, country: string): string {
  const compact = raw.trim().toUpperCase().replace(/\s+/g, "");
  if (UK_POSTCODE_COUNTRIES.has(country)) {
    const match = UK_POSTCODE.exec(compact);
    if (!match) throw badInput(`"${raw.trim()}" is not a valid ${country} postcode`, "postcode");
    return `${match[1]} ${match[2]}`;
  }
  const value = collapse(raw).toUpperCase();
  if (!OTHER_POSTCODE.test(value)) throw badInput(`"${raw.trim()}" is not a valid postcode`, "postcode");
  return value;
}

/**
 * Validates the fields present in `input` (absent or null: unchanged; an empty addressLine2 clears
 * it) and returns them normalised. Throws BAD_USER_INPUT naming the first bad field.
 */
export function parseProfileChanges(input: ProfileInput, country: string): Partial<ProfileFields> {
  const changes: Partial<ProfileFields> = {};
  if (input.firstName != null) changes.firstName = parseName(input.firstName, "firstName");
  if (input.lastName != null) changes.lastName = parseName(input.lastName, "lastName");
  if (input.addressLine1 != null) changes.addressLine1 = text(input.addressLine1, "addressLine1", 200);
  if (input.addressLine2 != null) changes.addressLine2 = input.addressLine2.trim() === "" ? null : text(input.addressLine2, "addressLine2", 200);
  if (input.city != null) changes.city = text(input.city, "city", 100);
  if (input.postcode != null) changes.postcode = parsePostcode(input.postcode, country);
  return changes;
}

/** An address is all or nothing: line 1, city and postcode together (line 2 is optional). */
export function assertAddressComplete(profile: ProfileFields): void {
  const { addressLine1, addressLine2, city, postcode } = profile;
  if (addressLine1 === null && addressLine2 === null && city === null && postcode === null) return;
  if (addressLine1 === null) throw badInput("An address needs its first line", "addressLine1");
  if (city === null) throw badInput("An address needs a city", "city");
  if (postcode === null) throw badInput("An address needs a postcode", "postcode");
}
