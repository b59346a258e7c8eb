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
        contextType: "../context.ts#PlayerContext",
        mappers: {
          Player: "../generated/prisma/client.ts#Player as PlayerModel",
          StaffUser: "../generated/prisma/client.ts#StaffUser as StaffUserModel",
        },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: { ID: "string" },
      },
    },
  },
};
export default config;
