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
        contextType: "../context.ts#ComplianceContext",
        mappers: {
          PlayerRestrictions: "../views.ts#RestrictionsView",
          RuleSet: "../generated/prisma/client.ts#RuleSet as RuleSetModel",
        },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: { ID: "string" },
      },
    },
  },
};
export default config;
