import type { CodegenConfig } from "@graphql-codegen/cli";

/**
 * graphql-codegen settings shared by every subgraph: typed resolvers for Federation 2 from
 * `schema.graphql` into `src/generated/graphql.ts`, with the service's context type and mappers
 * from GraphQL types to the models its resolvers return.
 */
export function subgraphCodegenConfig(contextType: string, mappers: Record<string, string> = {}): CodegenConfig {
  return {
    schema: "schema.graphql",
    generates: {
      "src/generated/graphql.ts": {
        plugins: ["typescript", "typescript-resolvers"],
        config: {
          federation: true,
          useIndexSignature: false,
          useTypeImports: true,
          contextType: `../context.ts#${contextType}`,
          mappers,
          enumsAsTypes: true,
          avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
          scalars: { ID: "string" },
        },
      },
    },
  };
}
