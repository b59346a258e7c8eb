import { buildSubgraphSchema } from "@apollo/subgraph";
import { graphql, parse } from "graphql";
import type { Principal } from "../src/auth/principal.ts";
import { allow, applyFieldPolicies, type AuthContext } from "../src/graphql/authorize.ts";

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { secret(ownerId: ID!): Secret  open: String }
  type Secret @key(fields: "ownerId") { ownerId: ID! value: String! }
`);
const resolvers = {
  Query: { secret: (_: unknown, { ownerId }: { ownerId: string }) => ({ ownerId, value: `s-${ownerId}` }), open: () => "hi" },
};
const build = () => buildSubgraphSchema({ typeDefs, resolvers });

const run = (principal: Principal, source: string) => {
  const schema = applyFieldPolicies<AuthContext>(build(), {
    "Query.secret": allow.authenticated,
    "Query.open": allow.public,
    "Secret.ownerId": allow.inherited,
    "Secret.value": allow.ownerOrStaff((parent) => (parent as { ownerId: string }).ownerId, "finance"),
  });
  return graphql({ schema, source, contextValue: { principal } });
};

describe("applyFieldPolicies", () => {
  it("refuses to start when a field has no policy", () => {
    expect(() => applyFieldPolicies(build(), { "Query.secret": allow.public })).toThrow(/Query\.open.*Secret\.ownerId|Secret\.ownerId.*Query\.open/);
  });

  it("refuses policies for fields that do not exist", () => {
    expect(() => applyFieldPolicies(build(), { "Query.*": allow.public, "Secret.*": allow.public, "Query.gone": allow.public })).toThrow(
      /Query\.gone/,
    );
  });

  it("lets the owner read, and refuses other players, anonymous callers and staff without the role", async () => {
    const q = `{ secret(ownerId: "p1") { ownerId value } }`;
    const owner = await run({ kind: "player", playerId: "p1", sessionId: "s" }, q);
    expect(owner.errors).toBeUndefined();
    expect(owner.data).toEqual({ secret: { ownerId: "p1", value: "s-p1" } });

    const other = await run({ kind: "player", playerId: "p2", sessionId: "s" }, q);
    expect(other.errors?.[0]?.extensions.code).toBe("FORBIDDEN");

    const anonymous = await run({ kind: "anonymous" }, q);
    expect(anonymous.errors?.[0]?.extensions.code).toBe("UNAUTHENTICATED");

    const support = await run({ kind: "staff", staffId: "u", roles: ["support"], sessionId: "s" }, q);
    expect(support.errors?.[0]?.extensions.code).toBe("FORBIDDEN");

    const finance = await run({ kind: "staff", staffId: "u", roles: ["finance"], sessionId: "s" }, q);
    expect(finance.data).toEqual({ secret: { ownerId: "p1", value: "s-p1" } });

    const admin = await run({ kind: "staff", staffId: "u", roles: ["admin"], sessionId: "s" }, q);
    expect(admin.data).toEqual({ secret: { ownerId: "p1", value: "s-p1" } });
  });

  it("leaves public fields open", async () => {
    const res = await run({ kind: "anonymous" }, "{ open }");
    expect(res).toEqual({ data: { open: "hi" } });
  });
});
