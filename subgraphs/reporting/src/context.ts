import type { BaseContext } from "@casino/kernel/graphql/subgraph";
import type { PrismaClient } from "./generated/prisma/client.ts";
import type { ReportingLoaders } from "./loaders.ts";

export interface ReportingContext extends BaseContext {
  prisma: PrismaClient;
  loaders: ReportingLoaders;
}
