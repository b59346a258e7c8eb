import type { Resolvers } from "../generated/graphql.ts";
import { CaseNote, ComplianceCase } from "./compliance-case.ts";
import { AuditEntry, DepositLimit, Exclusion } from "./deposit-limit.ts";
import { Mutation } from "./mutation.ts";
import { Player } from "./player.ts";
import { PlayerRestrictions } from "./player-restrictions.ts";
import { Query } from "./query.ts";
import { ResponsibleGambling } from "./responsible-gambling.ts";
import { RuleSet } from "./rule-set.ts";
import { Subscription } from "./subscription.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = { Query, Mutation, Subscription, Player, PlayerRestrictions, ResponsibleGambling, DepositLimit, Exclusion, AuditEntry, RuleSet, ComplianceCase, CaseNote };
