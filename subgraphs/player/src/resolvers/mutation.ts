import type { MutationResolvers } from "../generated/graphql.ts";

export const Mutation: MutationResolvers = {
  registerPlayer: (_parent, { input }, ctx) => ctx.auth.registerPlayer(input),
  login: (_parent, { email, password }, ctx) => ctx.auth.login(email, password),
  staffLogin: (_parent, { email, password }, ctx) => ctx.auth.staffLogin(email, password),
  refreshToken: (_parent, { refreshToken }, ctx) => ctx.auth.refresh(refreshToken),
  logout: (_parent, { refreshToken }, ctx) => ctx.auth.logout(refreshToken),
  createStaffUser: (_parent, { input }, ctx) => ctx.auth.createStaffUser(input),
};
