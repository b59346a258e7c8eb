import type { PlayerContext } from "../context.ts";

/** The signed-in player's id; the field's policy has already required a player. */
export function playerIdOf(ctx: PlayerContext): string {
  if (ctx.principal.kind !== "player") throw new Error("policy violation: a player-only field resolved for another principal");
  return ctx.principal.playerId;
}

/** The signed-in staff user's id; the field's policy has already required staff. */
export function staffIdOf(ctx: PlayerContext): string {
  if (ctx.principal.kind !== "staff") throw new Error("policy violation: a staff-only field resolved for another principal");
  return ctx.principal.staffId;
}
