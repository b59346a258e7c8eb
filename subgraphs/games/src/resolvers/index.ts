import type { Resolvers } from "../generated/graphql.ts";
import { Game } from "./game.ts";
import { Mutation } from "./mutation.ts";
import { GameRound, GameSession, GameStateUpdate, PlayMutation, PlayQuery } from "./play.ts";
import { Provider } from "./provider.ts";
import { Query } from "./query.ts";
import { RgsConfigMutation, RgsConfigQuery } from "./rgs-config.ts";
import { Subscription } from "./subscription.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = {
  Query: { ...Query, ...PlayQuery, ...RgsConfigQuery },
  Mutation: { ...Mutation, ...PlayMutation, ...RgsConfigMutation },
  Subscription,
  Game,
  Provider,
  GameSession,
  GameRound,
  GameStateUpdate,
};
