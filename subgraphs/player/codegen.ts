import { subgraphCodegenConfig } from "@casino/kernel/graphql/codegen";

export default subgraphCodegenConfig("PlayerContext", {
  Player: "../generated/prisma/client.ts#Player as PlayerModel",
  StaffUser: "../generated/prisma/client.ts#StaffUser as StaffUserModel",
  IdentityDocument: "../generated/prisma/client.ts#IdentityDocument as IdentityDocumentModel",
  PlayerSession: "../sessions.ts#SessionView",
});
