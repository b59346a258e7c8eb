import type { Resolvers } from "../generated/graphql.ts";
import { DepositStart } from "./deposit-start.ts";
import { Mutation } from "./mutation.ts";
import { Payment } from "./payment.ts";
import { Player } from "./player.ts";
import { Query } from "./query.ts";
import { ReconciliationMismatch, ReconciliationRun } from "./reconciliation.ts";
import { PaymentRoute, PaymentRouteTable } from "./routes.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = { Query, Mutation, Payment, Player, DepositStart, ReconciliationRun, ReconciliationMismatch, PaymentRouteTable, PaymentRoute };
