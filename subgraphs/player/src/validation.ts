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

/** A calendar date yyyy-mm-dd for a person at least 18 years old on `today`. */
export function parseDateOfBirth(raw: string, today: Date): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
    throw badInput("Date of birth must be a date like 1990-04-23", "dateOfBirth");
  }
  const eighteenth = new Date(Date.UTC(date.getUTCFullYear() + MINIMUM_AGE_YEARS, date.getUTCMonth(), date.getUTCDate()));
  if (eighteenth > today) throw badInput(`Players must be at least ${MINIMUM_AGE_YEARS} years old`, "dateOfBirth");
  if (date.getUTCFullYear() < 1900) throw badInput("Date of birth is not plausible", "dateOfBirth");
  return date;
}
