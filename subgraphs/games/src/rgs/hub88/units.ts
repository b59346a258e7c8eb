/**
 * Hub88 amounts are integers in 1/100000 of the currency (3.56 -> 356000); the wallet counts integer
 * minor units (3.56 GBP -> 356). Converted exactly with bigint: an amount that is no whole number of
 * minor units (0.001 GBP = 100 Hub88 units) cannot be represented and is refused, never rounded.
 */
import { CURRENCY_EXPONENT } from "@casino/kernel/money";

export const HUB88_DECIMALS = 5;

function factor(currency: string): bigint | null {
  const exponent = CURRENCY_EXPONENT[currency];
  if (exponent === undefined || exponent > HUB88_DECIMALS) return null;
  return 10n ** BigInt(HUB88_DECIMALS - exponent);
}

/** Hub88 units -> minor units, or null when not representable (or the currency is unknown). */
export function hub88ToMinor(units: bigint, currency: string): bigint | null {
  const f = factor(currency);
  if (f === null || units % f !== 0n) return null;
  return units / f;
}

/** Minor units -> Hub88 units (always exact). */
export function minorToHub88(minor: bigint, currency: string): bigint {
  const f = factor(currency);
  if (f === null) throw new Error(`no Hub88 unit for currency ${currency}`);
  return minor * f;
}
