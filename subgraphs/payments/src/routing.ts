import { z } from "zod";
import { PSP_NAMES, type PspName } from "./psp/types.ts";

/** Compliance's risk level of the player (see @casino/compliance-client). */
export const RISK_LEVELS = ["LOW", "MEDIUM", "HIGH"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * Which PSPs may take a payment, in order of preference. Rules are data (the payment_route table,
 * seeded from PAYMENTS_ROUTES; see route-table.ts): the first rule that matches decides. Its PSPs are tried in order, falling back to the next only when
 * one is unavailable, never to a different payment method (every PSP of a rule takes the rule's
 * method, or is left out). With `weights`, the first PSP is drawn by weight (a volume split) and
 * the others follow in their listed order.
 */
export interface RouteRule {
  method: string;
  psps: readonly PspName[];
  weights?: readonly number[];
  currencies?: readonly string[];
  countries?: readonly string[];
  minMinor?: bigint;
  maxMinor?: bigint;
  /** The player's risk levels the rule is for; absent: any (and a player of unknown risk). */
  riskLevels?: readonly RiskLevel[];
}

export const DEFAULT_ROUTES: readonly RouteRule[] = [
  { method: "card", psps: ["stripe", "nuvei"] },
  { method: "bank_transfer", psps: ["trustly"] },
];

const minorUnits = z.union([z.string().regex(/^\d{1,18}$/), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)]).transform((v) => BigInt(v));
const ruleSchema = z
  .object({
    method: z.string().min(1),
    psps: z.array(z.enum(PSP_NAMES)).min(1),
    weights: z.array(z.number().positive()).optional(),
    currencies: z.array(z.string().regex(/^[A-Z]{3}$/)).optional(),
    countries: z.array(z.string().regex(/^[A-Z]{2}$/)).optional(),
    minMinor: minorUnits.optional(),
    maxMinor: minorUnits.optional(),
    riskLevels: z.array(z.enum(RISK_LEVELS)).min(1).optional(),
  })
  .strict()
  .refine((r) => !r.weights || r.weights.length === r.psps.length, "weights must have one entry per PSP");

/** Parses PAYMENTS_ROUTES (a JSON array of rules); throws a message naming the problem. */
export function parseRoutes(json: string): RouteRule[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error("is not JSON");
  }
  const parsed = z.array(ruleSchema).min(1).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join(".") || "routes"}: ${issue.message}`);
  }
  return parsed.data;
}

export interface RouteRequest {
  method: string;
  currency: string;
  country: string | undefined;
  amountMinor: bigint;
  /** Compliance's answer for the player; null when unknown (only rules without riskLevels match). */
  riskLevel?: RiskLevel | null;
}

export function routeCandidates(
  rules: readonly RouteRule[],
  available: (psp: PspName, method: string) => boolean,
  req: RouteRequest,
  random: () => number = Math.random,
): PspName[] {
  const rule = rules.find(
    (r) =>
      r.method === req.method &&
      (!r.currencies || r.currencies.includes(req.currency)) &&
      (!r.countries || (req.country !== undefined && r.countries.includes(req.country))) &&
      (r.minMinor === undefined || req.amountMinor >= r.minMinor) &&
      (r.maxMinor === undefined || req.amountMinor <= r.maxMinor) &&
      (!r.riskLevels || (req.riskLevel != null && r.riskLevels.includes(req.riskLevel))),
  );
  if (!rule) return [];
  let ordered = [...rule.psps];
  if (rule.weights) {
    const total = rule.weights.reduce((a, b) => a + b, 0);
    let draw = random() * total;
    const first = rule.psps.findIndex((_, i) => (draw -= rule.weights![i]!) < 0);
    const index = first < 0 ? rule.psps.length - 1 : first;
    ordered = [rule.psps[index]!, ...rule.psps.filter((_, i) => i !== index)];
  }
  return ordered.filter((psp) => available(psp, req.method));
}
