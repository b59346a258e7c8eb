import type { Resolvers } from "../generated/graphql.ts";
import { DailyReport } from "./daily-report.ts";
import { PlayerActivity } from "./player-activity.ts";
import { PlayerTotals } from "./player-totals.ts";
import { Query } from "./query.ts";

// One root type per file, merged here by name so that two files can never overwrite each other.
export const resolvers: Resolvers = { Query, DailyReport, PlayerActivity, PlayerTotals };
