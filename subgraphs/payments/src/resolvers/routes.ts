import type { PaymentRouteResolvers, PaymentRouteTableResolvers } from "../generated/graphql.ts";

export const PaymentRouteTable: PaymentRouteTableResolvers = {
  updatedAt: (t) => t.updatedAt.toISOString(),
  // The position is the rule's index in the ordered table.
  rules: (t) => t.rules.map((rule, position) => ({ ...rule, position })),
};

export const PaymentRoute: PaymentRouteResolvers = {
  position: (r) => (r as { position?: number }).position ?? 0,
  currencies: (r) => (r.currencies ? [...r.currencies] : null),
  countries: (r) => (r.countries ? [...r.countries] : null),
  minMinor: (r) => r.minMinor?.toString() ?? null,
  maxMinor: (r) => r.maxMinor?.toString() ?? null,
  riskLevels: (r) => (r.riskLevels ? [...r.riskLevels] : null),
  psps: (r) => [...r.psps],
  weights: (r) => (r.weights ? [...r.weights] : null),
};
