import type { Resolvers } from "../generated/graphql.ts";
import { Player } from "./player.ts";
import { PlayerRestrictions } from "./player-restrictions.ts";
import { Query } from "./query.ts";
import { RuleSet } from "./rule-set.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = { Query, Player, PlayerRestrictions, RuleSet };
