import type { Resolvers } from "../generated/graphql.ts";
import { IdentityDocument } from "./identity-document.ts";
import { Mutation } from "./mutation.ts";
import { Player } from "./player.ts";
import { Query } from "./query.ts";
import { StaffUser } from "./staff-user.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = { Query, Mutation, Player, StaffUser, IdentityDocument };
