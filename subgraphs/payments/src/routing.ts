import type { PspName } from "./psp/types.ts";

/**
 * Which PSPs may take a payment, in order of preference: the first rule that matches decides, and
 * its PSPs are tried in order, falling back to the next only when one is unavailable (never to a
 * different payment method: every PSP of a rule takes the rule's method).
 */
export interface RouteRule {
  method: string;
  psps: readonly PspName[];
  currencies?: readonly string[];
  countries?: readonly string[];
  minMinor?: bigint;
  maxMinor?: bigint;
}

export const DEFAULT_ROUTES: readonly RouteRule[] = [
  { method: "card", psps: ["stripe", "nuvei"] },
  { method: "bank_transfer", psps: ["trustly"] },
];

export interface RouteRequest {
  method: string;
  currency: string;
  country: string | undefined;
  amountMinor: bigint;
}

export function routeCandidates(rules: readonly RouteRule[], available: (psp: PspName, method: string) => boolean, req: RouteRequest): PspName[] {
  const rule = rules.find(
    (r) =>
      r.method === req.method &&
      (!r.currencies || r.currencies.includes(req.currency)) &&
      (!r.countries || (req.country !== undefined && r.countries.includes(req.country))) &&
      (r.minMinor === undefined || req.amountMinor >= r.minMinor) &&
      (r.maxMinor === undefined || req.amountMinor <= r.maxMinor),
  );
  return rule ? rule.psps.filter((psp) => available(psp, req.method)) : [];
}
