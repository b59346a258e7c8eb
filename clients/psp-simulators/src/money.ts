/** Minor-unit exponents the simulated PSPs use when they speak decimal amounts (ISO 4217). */
const EXPONENT: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, ISK: 0, BHD: 3, KWD: 3, JOD: 3 };

export const exponentOf = (currency: string): number => EXPONENT[currency] ?? 2;

/** "12.50" GBP -> 1250n; undefined for anything but a plain decimal with at most the currency's decimals. */
export function decimalToMinor(amount: string, currency: string): bigint | undefined {
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(amount);
  const exp = exponentOf(currency);
  if (!match || (match[2]?.length ?? 0) > exp) return undefined;
  return BigInt(match[1]! + (match[2] ?? "").padEnd(exp, "0"));
}

/** 1250n GBP -> "12.50". */
export function minorToDecimal(minor: bigint, currency: string): string {
  const exp = exponentOf(currency);
  const digits = minor.toString().padStart(exp + 1, "0");
  return exp === 0 ? digits : `${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}
