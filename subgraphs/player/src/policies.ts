import { allow, type Policy } from "@casino/kernel/graphql/authorize";
import { forbidden } from "@casino/kernel/errors";
import type { PlayerContext } from "./context.ts";

const playerIdOfParent = (parent: unknown) => (parent as { id?: string }).id;
/** The player's account record: the player and every staff role that serves players. */
const ownPlayer = allow.ownerOrStaff(playerIdOfParent, "support", "kyc", "compliance", "finance");
/** Personal data (name, address): the player, support, and the roles that verify or investigate. */
const ownPersonalData = allow.ownerOrStaff(playerIdOfParent, "support", "kyc", "compliance");
const ownDocuments = allow.ownerOrStaff(playerIdOfParent, "support", "kyc");
const ownSessions = allow.ownerOrStaff(playerIdOfParent, "support");
const ownStaffRecord: Policy = (ctx, parent) => {
  const staffId = (parent as { id?: string }).id;
  if (ctx.principal.kind === "staff" && ctx.principal.staffId === staffId) return;
  return allow.staff("admin")(ctx, parent, {});
};
/** A player records their own documents (no playerId, or their own); kyc staff record anyone's. */
const recordsOwnDocumentOrKyc: Policy = (ctx, parent, args) => {
  if (ctx.principal.kind === "player") {
    const playerId = (args.input as { playerId?: string | null } | undefined)?.playerId;
    if (playerId == null || playerId === ctx.principal.playerId) return;
    throw forbidden("You may only access your own data");
  }
  return allow.staff("kyc")(ctx, parent, args);
};

/** Every field of the player subgraph and who may resolve it (deny by default). */
export const policies: Record<string, Policy<PlayerContext>> = {
  "Query.me": allow.player,
  "Query.player": allow.staff("support", "kyc", "compliance", "finance"),
  "Query.players": allow.staff("support", "kyc", "compliance", "finance"),
  "Query.staffMe": allow.staff("support", "kyc", "compliance", "finance", "admin"),
  "Query.mySessions": allow.player,
  "Mutation.registerPlayer": allow.public,
  "Mutation.login": allow.public,
  "Mutation.staffLogin": allow.public,
  "Mutation.refreshToken": allow.public,
  "Mutation.logout": allow.public,
  "Mutation.createStaffUser": allow.staff("admin"),
  "Mutation.updateProfile": allow.player,
  "Mutation.correctPlayerIdentity": allow.staff("kyc"),
  "Mutation.recordIdentityDocument": recordsOwnDocumentOrKyc,
  "Mutation.requestKycVerification": allow.player,
  "Mutation.adjudicateKyc": allow.staff("kyc"),
  "Mutation.revokeSession": allow.player,
  "Mutation.revokePlayerSession": allow.staff("support"),
  "Mutation.setPlayerStatus": allow.staff("support", "compliance"),
  "Mutation.closeAccount": allow.player,
  "Player.id": allow.inherited,
  "Player.email": ownPlayer,
  "Player.firstName": ownPersonalData,
  "Player.lastName": ownPersonalData,
  "Player.address": ownPersonalData,
  "Player.dateOfBirth": ownPlayer,
  "Player.country": ownPlayer,
  "Player.currency": ownPlayer,
  "Player.status": ownPlayer,
  "Player.kycStatus": ownPlayer,
  "Player.identityDocuments": ownDocuments,
  "Player.sessions": ownSessions,
  "Player.createdAt": ownPlayer,
  "PlayerAddress.*": allow.inherited,
  "IdentityDocument.*": allow.inherited,
  "PlayerSession.*": allow.inherited,
  "StaffUser.*": ownStaffRecord,
  "PlayerConnection.*": allow.inherited,
  "PlayerEdge.*": allow.inherited,
  "PageInfo.*": allow.inherited,
  "AuthPayload.*": allow.inherited,
};
