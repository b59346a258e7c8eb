import { formatMoney, isSupportedCurrency, parseMoney } from "@casino/kernel/money";

/**
 * A PSP's decimal amount ("12.50", "100.5") in exact minor units of `currency`, or undefined when
 * it is not a non-negative decimal with at most the currency's number of decimals (never a float).
 */
export function decimalToMinor(amount: string, currency: string): bigint | undefined {
  if (!isSupportedCurrency(currency) || !/^\d{1,19}(\.\d{1,6})?$/.test(amount)) return undefined;
  try {
    return parseMoney(amount, currency).minor;
  } catch {
    return undefined;
  }
}

/** Minor units as the decimal string PSPs that speak major units expect: 1250n GBP -> "12.50". */
export const minorToDecimal = (minor: bigint, currency: string): string => formatMoney(minor, currency);
