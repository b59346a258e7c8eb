import type { Resolvers } from "../generated/graphql.ts";
import { Mutation } from "./mutation.ts";
import { Player } from "./player.ts";
import { Query } from "./query.ts";
import { Subscription } from "./subscription.ts";
import { Wallet } from "./wallet.ts";
import { WalletTransaction } from "./wallet-transaction.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = { Query, Mutation, Subscription, Player, Wallet, WalletTransaction };
