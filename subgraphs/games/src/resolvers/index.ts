import type { Resolvers } from "../generated/graphql.ts";
import { Game } from "./game.ts";
import { Mutation } from "./mutation.ts";
import { Provider } from "./provider.ts";
import { Query } from "./query.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = { Query, Mutation, Game, Provider };
