import type { PlayerRestrictionsResolvers } from "../generated/graphql.ts";
import { loadAssessedView } from "../loaders.ts";

export const PlayerRestrictions: PlayerRestrictionsResolvers = {
  __resolveReference: (ref, ctx) => loadAssessedView(ctx.loaders, ref.playerId, ctx.now()),
  canDeposit: (view) => view.decision.canDeposit,
  canPlay: (view) => view.decision.canPlay,
  reasons: (view) => view.decision.reasons,
  selfExcludedUntil: (view) => view.selfExcludedUntil?.toISOString() ?? null,
  timedOutUntil: (view) => view.timedOutUntil?.toISOString() ?? null,
  updatedAt: (view) => view.updatedAt.toISOString(),
};
