export type { ClientInfo } from "@casino/kernel/graphql/subgraph";
