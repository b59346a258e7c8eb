import { badInput } from "./errors.ts";

/**
 * ISO 4217 currencies the platform accepts, with their minor-unit exponent.
 * Amounts are always integer minor units (bigint); this table is the only place that knows
 * how many minor units make a major unit.
 */
export const CURRENCY_EXPONENT: Readonly<Record<string, number>> = Object.freeze({
  GBP: 2, EUR: 2, USD: 2, CAD: 2, AUD: 2, NZD: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2, CZK: 2,
  HUF: 2, BRL: 2, MXN: 2, ZAR: 2, INR: 2, TRY: 2, JPY: 0, KRW: 0, ISK: 0, BHD: 3, KWD: 3, JOD: 3,
});

export const INT64_MAX = 9_223_372_036_854_775_807n;
export const INT64_MIN = -9_223_372_036_854_775_808n;

export interface Money {
  readonly minor: bigint;
  readonly currency: string;
}

export function isSupportedCurrency(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENT, code);
}

export function currencyExponent(currency: string): number {
  const exp = CURRENCY_EXPONENT[currency];
  if (exp === undefined) throw badInput(`Unsupported currency "${currency}"`, "currency");
  return exp;
}

export function assertCurrency(code: string, field = "currency"): string {
  if (!/^[A-Z]{3}$/.test(code) || !isSupportedCurrency(code)) {
    throw badInput(`"${code}" is not a supported ISO 4217 currency code`, field);
  }
  return code;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string in major units ("12.50") into exact minor units.
 * Refuses floats in disguise: exponents, more fractional digits than the currency has,
 * and anything outside the signed 64-bit range.
 */
export function parseMoney(amount: string, currency: string, field = "amount"): Money {
  assertCurrency(currency);
  const exp = currencyExponent(currency);
  const match = DECIMAL.exec(amount.trim() === amount ? amount : "");
  if (!match) throw badInput(`"${amount}" is not a decimal amount like "12.50"`, field);
  const [, sign, whole = "0", fraction = ""] = match;
  if (fraction.length > exp) {
    throw badInput(`${currency} has ${exp} decimal places; "${amount}" has ${fraction.length}`, field);
  }
  const digits = whole + fraction.padEnd(exp, "0");
  let minor = BigInt(digits);
  if (sign) minor = -minor;
  if (minor > INT64_MAX || minor < INT64_MIN) throw badInput(`"${amount}" is out of range`, field);
  return { minor, currency };
}

/** Formats minor units as an exact decimal string in major units: 1250n GBP -> "12.50". */
export function formatMoney(minor: bigint, currency: string): string {
  const exp = currencyExponent(currency);
  const negative = minor < 0n;
  const abs = (negative ? -minor : minor).toString().padStart(exp + 1, "0");
  const whole = abs.slice(0, abs.length - exp);
  const fraction = exp > 0 ? "." + abs.slice(abs.length - exp) : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

export function toGraphQLMoney(minor: bigint, currency: string): { amount: string; currency: string } {
  return { amount: formatMoney(minor, currency), currency };
}
