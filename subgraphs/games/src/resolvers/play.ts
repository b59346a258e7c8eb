import { appError, badInput, notFound } from "@casino/kernel/errors";
import { parseId } from "@casino/kernel/ids";
import { assertCurrency, parseMoney, toGraphQLMoney } from "@casino/kernel/money";
import type { GamesContext } from "../context.ts";
import type { GameRoundResolvers, GameSessionResolvers, GameStateUpdateResolvers, MutationResolvers, QueryResolvers, RouletteBetInput } from "../generated/graphql.ts";
import type { GameRound as GameRoundRow } from "../generated/prisma/client.ts";
import type { RouletteBet } from "../proprietary/roulette/european-roulette.ts";
import { phaseOf } from "../rounds/rounds.ts";
import { gameState } from "../rounds/views.ts";

/** Staff who look into play; other staff roles see no sessions or rounds. */
const isStaff = (ctx: GamesContext) => ctx.principal.kind === "staff" && ctx.principal.roles.some((r) => r === "support" || r === "compliance" || r === "admin");
const playerIdOf = (ctx: GamesContext): string => {
  if (ctx.principal.kind !== "player") throw appError("FORBIDDEN", "Only players play");
  return ctx.principal.playerId;
};

/** A round the caller may see: their own, or any for staff; null otherwise (no existence leak). */
async function visibleRound(ctx: GamesContext, id: string): Promise<GameRoundRow | null> {
  const round = await ctx.loaders.roundById.load(parseId(id, "id"));
  if (!round) return null;
  return isStaff(ctx) || (ctx.principal.kind === "player" && ctx.principal.playerId === round.playerId) ? round : null;
}

const KIND: Record<RouletteBetInput["kind"], RouletteBet["kind"]> = {
  STRAIGHT: "straight",
  SPLIT: "split",
  STREET: "street",
  CORNER: "corner",
  SIX_LINE: "sixLine",
  COLUMN: "column",
  DOZEN: "dozen",
  RED: "red",
  BLACK: "black",
  ODD: "odd",
  EVEN: "even",
  LOW: "low",
  HIGH: "high",
};

function rouletteBets(inputs: readonly RouletteBetInput[]): { bets: RouletteBet[]; currency: string } {
  if (inputs.length === 0) throw badInput("place at least one bet", "bets");
  const currency = assertCurrency(inputs[0]!.stake.currency, "bets.0.stake.currency");
  const bets = inputs.map((input, i): RouletteBet => {
    if (input.stake.currency !== currency) throw badInput("all bets of a spin are in one currency", `bets.${i}.stake.currency`);
    const stakeMinor = parseMoney(input.stake.amount, currency, `bets.${i}.stake.amount`).minor;
    const kind = KIND[input.kind];
    switch (kind) {
      case "straight":
      case "split":
      case "street":
      case "corner":
      case "sixLine":
        if (!input.numbers) throw badInput(`a ${input.kind} bet needs its numbers`, `bets.${i}.numbers`);
        return { kind, numbers: input.numbers, stakeMinor };
      case "column":
      case "dozen":
        if (input.index !== 1 && input.index !== 2 && input.index !== 3) throw badInput(`a ${input.kind} bet needs index 1, 2 or 3`, `bets.${i}.index`);
        return { kind, index: input.index, stakeMinor };
      default:
        return { kind, stakeMinor };
    }
  });
  return { bets, currency };
}

export const PlayQuery: Pick<QueryResolvers, "gameSession" | "myGameSessions" | "gameRound" | "gameStateOfPlayer"> = {
  gameSession: async (_parent, { id }, ctx) => {
    const session = await ctx.loaders.sessionById.load(parseId(id, "id"));
    if (!session) return null;
    return isStaff(ctx) || (ctx.principal.kind === "player" && ctx.principal.playerId === session.playerId) ? session : null;
  },
  myGameSessions: (_parent, { first }, ctx) =>
    ctx.prisma.launchSession.findMany({ where: { playerId: playerIdOf(ctx) }, orderBy: { createdAt: "desc" }, take: Math.min(Math.max(first ?? 20, 1), 100) }),
  gameRound: (_parent, { id }, ctx) => visibleRound(ctx, id),
  gameStateOfPlayer: async (_parent, { playerId, roundId }, ctx) => {
    const round = await visibleRound(ctx, roundId);
    if (!round || round.playerId !== playerId) return null;
    return { playerId, sessionId: round.sessionId, roundId: round.id, phase: phaseOf(round.status), round };
  },
};

export const PlayMutation: Pick<MutationResolvers, "launchGame" | "spinSlot" | "playRoulette" | "endGameSession"> = {
  launchGame: (_parent, { gameId, mode }, ctx) => ctx.launcher.launch(playerIdOf(ctx), gameId, mode),
  spinSlot: async (_parent, { input }, ctx) => {
    const currency = assertCurrency(input.lineBet.currency, "lineBet.currency");
    const lineBetMinor = parseMoney(input.lineBet.amount, currency, "lineBet.amount").minor;
    return ctx.rounds.spinSlot(playerIdOf(ctx), { sessionId: parseId(input.sessionId, "sessionId"), lineBetMinor, currency, idempotencyKey: input.idempotencyKey });
  },
  playRoulette: async (_parent, { input }, ctx) => {
    const { bets, currency } = rouletteBets(input.bets);
    return ctx.rounds.playRoulette(playerIdOf(ctx), { sessionId: parseId(input.sessionId, "sessionId"), bets, currency, idempotencyKey: input.idempotencyKey });
  },
  endGameSession: (_parent, { sessionId }, ctx) => ctx.launcher.end(playerIdOf(ctx), sessionId, ctx.now()),
};

export const GameSession: GameSessionResolvers = {
  __resolveReference: async (ref, ctx) => {
    const session = await ctx.loaders.sessionById.load(ref.id);
    if (!session) return null;
    return isStaff(ctx) || (ctx.principal.kind === "player" && ctx.principal.playerId === session.playerId) ? session : null;
  },
  game: async (session, _args, ctx) => {
    const game = await ctx.loaders.gameById.load(session.gameId);
    if (!game) throw new Error(`session ${session.id} has no game ${session.gameId}`);
    return game;
  },
  createdAt: (s) => s.createdAt.toISOString(),
  expiresAt: (s) => s.expiresAt.toISOString(),
  endedAt: (s) => s.endedAt?.toISOString() ?? null,
  state: (s, _args, ctx) => gameState(s, ctx.now()),
  rounds: (s, { first }, ctx) => ctx.prisma.gameRound.findMany({ where: { sessionId: s.id }, orderBy: { openedAt: "desc" }, take: Math.min(Math.max(first ?? 20, 1), 100) }),
};

export const GameRound: GameRoundResolvers = {
  __resolveReference: (ref, ctx) => visibleRound(ctx, ref.id),
  session: async (round, _args, ctx) => {
    const session = await ctx.loaders.sessionById.load(round.sessionId);
    if (!session) throw notFound("Game session");
    return session;
  },
  stake: (r) => toGraphQLMoney(r.stakeMinor, r.currency),
  win: (r) => toGraphQLMoney(r.winMinor, r.currency),
  celebrate: (r) => r.status === "SETTLED" && r.winMinor > r.stakeMinor,
  outcome: (r) => JSON.stringify(r.outcome),
  bet: (r) => JSON.stringify(r.bet),
  openedAt: (r) => r.openedAt.toISOString(),
  settledAt: (r) => r.settledAt?.toISOString() ?? null,
  state: async (r, _args, ctx) => {
    const session = await ctx.loaders.sessionById.load(r.sessionId);
    if (!session) throw notFound("Game session");
    return gameState(session, ctx.now());
  },
};

export const GameStateUpdate: GameStateUpdateResolvers = {
  status: (u) => u.round.status,
  stake: (u) => toGraphQLMoney(u.round.stakeMinor, u.round.currency),
  win: (u) => toGraphQLMoney(u.round.winMinor, u.round.currency),
  state: async (u, _args, ctx) => {
    const session = await ctx.loaders.sessionById.load(u.sessionId);
    if (!session) throw notFound("Game session");
    return gameState(session, ctx.now());
  },
};
