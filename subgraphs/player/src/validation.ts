import { assertCurrency } from "@casino/kernel/money";
import { badInput } from "@casino/kernel/errors";
import { z } from "zod";

export { parseCountry } from "@casino/kernel/geo";

export const MINIMUM_AGE_YEARS = 18;

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!z.email().safeParse(email).success || email.length > 254) throw badInput("Enter a valid email address", "email");
  return email;
}

/** NIST SP 800-63B: long passphrases allowed, no composition rules, a sensible minimum. */
export function checkPassword(password: string): string {
  if (password.length < 10) throw badInput("Password must be at least 10 characters", "password");
  if (password.length > 256) throw badInput("Password must be at most 256 characters", "password");
  return password;
}

export function parseCurrency(raw: string): string {
  return assertCurrency(raw.trim().toUpperCase());
}

/** A calendar date yyyy-mm-dd, not before 1900 and not in the future; bad input on `field`. */
export function parseCalendarDate(raw: string, field: string, label = field): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw.trim());
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw.trim()) {
    throw badInput(`${label} must be a date like 1990-04-23`, field);
  }
  return date;
}

/**
 * A date of birth as staff record it from a document: any real past date. Unlike registration it
 * may show the person is under age: that is exactly what staff must be able to record.
 */
export function parseRecordedDateOfBirth(raw: string, today: Date): Date {
  const date = parseCalendarDate(raw, "dateOfBirth", "Date of birth");
  if (date.getUTCFullYear() < 1900 || date > today) throw badInput("Date of birth is not plausible", "dateOfBirth");
  return date;
}

/** A calendar date yyyy-mm-dd for a person at least 18 years old on `today`. */
export function parseDateOfBirth(raw: string, today: Date): Date {
  const date = parseCalendarDate(raw, "dateOfBirth", "Date of birth");
  const eighteenth = new Date(Date.UTC(date.getUTCFullYear() + MINIMUM_AGE_YEARS, date.getUTCMonth(), date.getUTCDate()));
  if (eighteenth > today) throw badInput(`Players must be at least ${MINIMUM_AGE_YEARS} years old`, "dateOfBirth");
  if (date.getUTCFullYear() < 1900) throw badInput("Date of birth is not plausible", "dateOfBirth");
  return date;
}

/** Trimmed free text that must not be empty (reasons, notes). */
export function requiredText(raw: string, field: string, max = 1000): string {
  const value = raw.trim();
  if (value === "") throw badInput(`${field} must not be empty`, field);
  if (value.length > max) throw badInput(`${field} must be at most ${max} characters`, field);
  return value;
}
