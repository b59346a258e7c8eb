import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  generates: {
    "src/generated/graphql.ts": {
      plugins: ["typescript", "typescript-resolvers"],
      config: {
        federation: true,
        useIndexSignature: false,
        useTypeImports: true,
        contextType: "../context.ts#ReportingContext",
        mappers: {
          DailyReport: "../generated/prisma/client.ts#DailyReport as DailyReportModel",
          PlayerActivity: "../generated/prisma/client.ts#PlayerActivity as PlayerActivityModel",
          PlayerTotals: "../generated/prisma/client.ts#PlayerTotals as PlayerTotalsModel",
        },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: { ID: "string" },
      },
    },
  },
};
export default config;
