import { buildSchema, getOperationAST, parse, specifiedRules, validate } from "graphql";
import { OperationMeter, limitRules } from "../src/limits.ts";

const schema = buildSchema(`
  type Query {
    player(id: ID!): Player
    players(first: Int): [Player!]!
    tags: [String!]!
    transactions(first: Int = 20): Connection!
  }
  type Player { id: ID! name: String! friends(limit: Int): [Player!]! wallet: Wallet! }
  type Wallet { balances: [Money!]! }
  type Money { amount: String! currency: String! }
  type Connection { edges: [Edge!]! }
  type Edge { node: Tx! }
  type Tx { id: ID! amount: Money! }
`);

function measure(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  const operation = getOperationAST(document)!;
  const meter = new OperationMeter(schema, document, variables);
  return { depth: meter.depth(operation), aliases: meter.aliases(operation), cost: meter.cost(operation) };
}

function errors(query: string, limits = { maxDepth: 12, maxAliases: 30, maxCost: 5000 }) {
  return validate(schema, parse(query), [...specifiedRules, ...limitRules(limits)]).map((e) => ({
    message: e.message,
    extensions: e.extensions,
  }));
}

describe("OperationMeter", () => {
  it("counts depth through fields, inline fragments and fragment spreads", () => {
    expect(measure(`{ player(id: 1) { id } }`).depth).toBe(2);
    expect(measure(`{ player(id: 1) { ... on Player { friends { ...F } } } } fragment F on Player { wallet { balances { amount } } }`).depth).toBe(5);
  });

  it("counts aliases, once per use of a fragment", () => {
    expect(measure(`{ a: player(id: 1) { n: name ...F ...F2 } } fragment F on Player { x: id } fragment F2 on Player { ...F }`).aliases).toBe(4);
  });

  it("costs 1 per field and multiplies list selections by first/limit, or by 10", () => {
    expect(measure(`{ player(id: 1) { id name } }`).cost).toBe(3);
    // players without first: 1 + 10 * (id)
    expect(measure(`{ players { id } }`).cost).toBe(11);
    expect(measure(`{ players(first: 5) { id friends(limit: 2) { id } } }`).cost).toBe(1 + 5 * (1 + 1 + 2 * 1));
    // A list of scalars costs one field: there is nothing below it to multiply.
    expect(measure(`{ tags }`).cost).toBe(1);
  });

  it("counts a connection's page once: its edges do not multiply again", () => {
    // transactions defaults to first: 20 in the schema.
    expect(measure(`{ transactions { edges { node { id } } } }`).cost).toBe(1 + 20 * (1 + 1 * (1 + 1)));
    expect(measure(`{ transactions(first: 2) { edges { node { amount { amount } } } } }`).cost).toBe(1 + 2 * (1 + (1 + (1 + 1))));
  });

  it("uses variable values when known, else the variable's default, else 10", () => {
    const q = `query($n: Int = 3) { players(first: $n) { id } }`;
    expect(measure(q).cost).toBe(1 + 3);
    expect(measure(q, { n: 100 }).cost).toBe(1 + 100);
    expect(measure(`query($n: Int) { players(first: $n) { id } }`).cost).toBe(1 + 10);
  });

  it("measures a fragment bomb by its size, not its expansion", () => {
    const levels = 30;
    const defs = Array.from({ length: levels }, (_, i) => `fragment F${i} on Player { ${i + 1 < levels ? `a: friends { ...F${i + 1} } b: friends { ...F${i + 1} }` : "id"} }`);
    const started = Date.now();
    const m = measure(`{ player(id: 1) { ...F0 } } ${defs.join(" ")}`);
    expect(Date.now() - started).toBeLessThan(200);
    expect(m.depth).toBe(levels + 1);
    expect(m.cost).toBeGreaterThan(5000);
  });

  it("survives fragment cycles (reported by the standard rules)", () => {
    expect(() => measure(`{ player(id: 1) { ...A } } fragment A on Player { friends { ...B } } fragment B on Player { friends { ...A } }`)).not.toThrow();
  });
});

describe("limit validation rules", () => {
  it("passes ordinary queries", () => {
    expect(errors(`{ player(id: 1) { name friends(limit: 5) { name } } }`)).toEqual([]);
  });

  it("names the limit, the maximum and the actual value", () => {
    expect(errors(`{ player(id: 1) { friends { friends { id } } } }`, { maxDepth: 3, maxAliases: 30, maxCost: 5000 })).toEqual([
      {
        message: "Query depth 4 exceeds the maximum depth of 3",
        extensions: { code: "GRAPHQL_VALIDATION_FAILED", limit: "depth", max: 3, actual: 4, http: { status: 400 } },
      },
    ]);
    expect(errors(`{ a: tags b: tags }`, { maxDepth: 12, maxAliases: 1, maxCost: 5000 })[0]).toMatchObject({
      message: "Query uses 2 aliases; the maximum is 1",
      extensions: { limit: "aliases" },
    });
    expect(errors(`{ players(first: 3000) { id name } }`)[0]).toMatchObject({
      message: expect.stringMatching(/^Query cost 6001 exceeds the maximum cost of 5000/),
      extensions: { limit: "cost", actual: 6001 },
    });
  });
});
