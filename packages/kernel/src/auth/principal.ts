export const STAFF_ROLES = ["support", "kyc", "compliance", "finance", "admin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who is calling, as established from a verified access token. */
export type Principal =
  | { readonly kind: "anonymous" }
  | { readonly kind: "player"; readonly playerId: string; readonly sessionId: string }
  | { readonly kind: "staff"; readonly staffId: string; readonly roles: readonly StaffRole[]; readonly sessionId: string };

export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous" });

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}
