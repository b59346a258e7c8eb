import { parseId } from "@casino/kernel/ids";
import type { MutationResolvers } from "../generated/graphql.ts";
import { playerIdOf, staffIdOf } from "./principal.ts";

export const Mutation: MutationResolvers = {
  registerPlayer: (_parent, { input }, ctx) => ctx.auth.registerPlayer(input, ctx.client),
  login: (_parent, { email, password }, ctx) => ctx.auth.login(email, password, ctx.client),
  staffLogin: (_parent, { email, password }, ctx) => ctx.auth.staffLogin(email, password, ctx.client),
  refreshToken: (_parent, { refreshToken }, ctx) => ctx.auth.refresh(refreshToken),
  logout: (_parent, { refreshToken }, ctx) => ctx.auth.logout(refreshToken),
  createStaffUser: (_parent, { input }, ctx) => ctx.auth.createStaffUser(input),
  updateProfile: (_parent, { input }, ctx) => ctx.profile.updateProfile(playerIdOf(ctx), input),
  correctPlayerIdentity: (_parent, { playerId, input }, ctx) => ctx.profile.correctIdentity(playerId, input),
  recordIdentityDocument: (_parent, { input }, ctx) => ctx.kyc.recordDocument(ctx.principal, input),
  requestKycVerification: (_parent, _args, ctx) => ctx.kyc.requestVerification(playerIdOf(ctx)),
  adjudicateKyc: (_parent, { playerId, decision, note }, ctx) => ctx.kyc.adjudicate(staffIdOf(ctx), playerId, decision, note),
  revokeSession: (_parent, { id }, ctx) => ctx.sessions.revoke(playerIdOf(ctx), id, "revoked by the player"),
  revokePlayerSession: (_parent, { playerId, sessionId }, ctx) =>
    ctx.sessions.revoke(parseId(playerId, "playerId"), sessionId, `revoked by support staff ${staffIdOf(ctx)}`),
  setPlayerStatus: (_parent, { playerId, status, reason }, ctx) => ctx.accounts.setStatus(staffIdOf(ctx), playerId, status, reason),
  closeAccount: (_parent, { reason }, ctx) => ctx.accounts.close(playerIdOf(ctx), reason),
};
