import { isStaffRole } from "@casino/kernel/auth/principal";
import type { StaffUserResolvers } from "../generated/graphql.ts";

export const StaffUser: StaffUserResolvers = {
  __resolveReference: (ref, ctx) => ctx.prisma.staffUser.findUnique({ where: { id: ref.id } }),
  roles: (staff) => staff.roles.filter(isStaffRole),
  createdAt: (staff) => staff.createdAt.toISOString(),
};
