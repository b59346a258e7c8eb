import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import type { PlayerContext } from "./context.ts";

const ownPlayer = allow.ownerOrStaff((parent) => (parent as { id?: string }).id, "support", "kyc", "compliance", "finance");
const ownStaffRecord: Policy = (ctx, parent) => {
  const staffId = (parent as { id?: string }).id;
  if (ctx.principal.kind === "staff" && ctx.principal.staffId === staffId) return;
  return allow.staff("admin")(ctx, parent, {});
};

/** Every field of the player subgraph and who may resolve it (deny by default). */
export const policies: Record<string, Policy<PlayerContext>> = {
  "Query.me": allow.player,
  "Query.player": allow.staff("support", "kyc", "compliance", "finance"),
  "Query.players": allow.staff("support", "kyc", "compliance", "finance"),
  "Query.staffMe": allow.staff("support", "kyc", "compliance", "finance", "admin"),
  "Mutation.registerPlayer": allow.public,
  "Mutation.login": allow.public,
  "Mutation.staffLogin": allow.public,
  "Mutation.refreshToken": allow.public,
  "Mutation.logout": allow.public,
  "Mutation.createStaffUser": allow.staff("admin"),
  "Player.id": allow.inherited,
  "Player.email": ownPlayer,
  "Player.dateOfBirth": ownPlayer,
  "Player.country": ownPlayer,
  "Player.currency": ownPlayer,
  "Player.status": ownPlayer,
  "Player.kycStatus": ownPlayer,
  "Player.createdAt": ownPlayer,
  "StaffUser.*": ownStaffRecord,
  "PlayerConnection.*": allow.inherited,
  "PlayerEdge.*": allow.inherited,
  "PageInfo.*": allow.inherited,
  "AuthPayload.*": allow.inherited,
};
