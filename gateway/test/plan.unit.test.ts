import { GraphQLError, buildSchema, getOperationAST, parse, print } from "graphql";
import { planSubscription, type SubscriptionPlan } from "../src/subscriptions/plan.ts";
import { DEFAULT_LIVE_TOPICS, resolveTopics } from "../src/subscriptions/registry.ts";

const schema = buildSchema(`
  type Query {
    balanceOfPlayer(playerId: ID!, currency: String): BalanceUpdate
    gameStateOfPlayer(playerId: ID!): GameState
  }
  type Subscription { balanceChanged: BalanceUpdate! }
  type Money { amount: String! currency: String! }
  interface Node { id: ID! }
  type BalanceUpdate { playerId: ID! balance: Money! balances: [Money!]! version: Int! note(lang: String): String owner: Node }
  type Owner implements Node { id: ID! }
  type GameState { id: ID! }
`);
const topics = resolveTopics(schema, DEFAULT_LIVE_TOPICS);

const payload = {
  playerId: "p1",
  version: 3,
  balance: { amount: "1.00", currency: "EUR" },
  balances: [
    { amount: "1.00", currency: "EUR" },
    { amount: "0.00", currency: "GBP" },
  ],
};

function plan(query: string): SubscriptionPlan {
  const document = parse(query);
  const result = planSubscription(schema, document, getOperationAST(document)!, topics);
  if (result instanceof GraphQLError) throw result;
  return result;
}

describe("resolveTopics", () => {
  it("serves only the registry fields that the schema's Subscription type declares", () => {
    expect([...topics.keys()]).toEqual(["balanceChanged"]);
    expect(topics.get("balanceChanged")?.twin?.name).toBe("balanceOfPlayer");
  });
});

describe("payload coverage", () => {
  it.each([
    ["plain fields", `subscription { balanceChanged { playerId version balance { amount } } }`],
    ["aliases", `subscription { b: balanceChanged { v: version all: balances { c: currency } } }`],
    ["fragments and __typename", `subscription { ...S } fragment S on Subscription { balanceChanged { __typename ...M } } fragment M on BalanceUpdate { balances { ... on Money { amount } } }`],
    ["a skipped field the payload lacks", `subscription { balanceChanged { version note @skip(if: true) } }`],
  ])("is covered with %s", (_name, query) => {
    expect(plan(query).coveredBy(payload, {})).toBe(true);
  });

  it.each([
    ["a field the payload lacks", `subscription { balanceChanged { version owner { id } } }`, payload],
    ["a field taking arguments", `subscription { balanceChanged { note(lang: "en") } }`, { ...payload, note: "x" }],
    ["a list element missing a field", `subscription { balanceChanged { balances { amount } } }`, { ...payload, balances: [{ currency: "EUR" }] }],
    ["null for a non-null field", `subscription { balanceChanged { version } }`, { ...payload, version: null }],
    ["an abstract type without __typename", `subscription { balanceChanged { owner { id } } }`, { ...payload, owner: { id: "o" } }],
    ["no payload at all", `subscription { balanceChanged { version } }`, null],
  ])("is not covered with %s", (_name, query, value) => {
    expect(plan(query).coveredBy(value, {})).toBe(false);
  });

  it("follows @include with the client's variables", () => {
    const p = plan(`subscription($more: Boolean!) { balanceChanged { version owner @include(if: $more) { id } } }`);
    expect(p.coveredBy(payload, { more: false })).toBe(true);
    expect(p.coveredBy(payload, { more: true })).toBe(false);
  });

  it("accepts an abstract type when the payload names its concrete type", () => {
    expect(plan(`subscription { balanceChanged { owner { id } } }`).coveredBy({ ...payload, owner: { __typename: "Owner", id: "o" } }, {})).toBe(true);
  });
});

describe("twin query", () => {
  it("keeps the response key and selection, takes the player from the token and the currency from the message", () => {
    const p = plan(`subscription Live($more: Boolean!) { b: balanceChanged { version ...M owner @include(if: $more) { id } } } fragment M on BalanceUpdate { balance { amount } }`);
    expect(print(p.twin!.document)).toBe(
      print(
        parse(`query Live_twin($twin_playerId: ID!, $twin_currency: String, $more: Boolean!) {
          b: balanceOfPlayer(playerId: $twin_playerId, currency: $twin_currency) { version ...M owner @include(if: $more) { id } }
        } fragment M on BalanceUpdate { balance { amount } }`),
      ),
    );
    expect(p.twin!.queryHash).toMatch(/^[0-9a-f]{64}$/);
    expect(p.twinVariables("p1", { ...payload, playerId: "someone-else" }, { more: true, unused: 1 })).toEqual({
      more: true,
      twin_playerId: "p1",
      twin_currency: "EUR",
    });
  });

  it("aliases an unaliased field with the subscription's name and avoids the client's variable names", () => {
    const p = plan(`subscription($twin_playerId: Boolean!) { balanceChanged { version @include(if: $twin_playerId) } }`);
    expect(p.twin!.source).toBe(
      print(
        parse(`query balanceChanged_twin($_twin_playerId: ID!, $twin_currency: String, $twin_playerId: Boolean!) {
          balanceChanged: balanceOfPlayer(playerId: $_twin_playerId, currency: $twin_currency) { version @include(if: $twin_playerId) }
        }`),
      ),
    );
  });

  it("refuses subscription fields outside the registry", () => {
    const other = buildSchema(`type Query { a: Int } type Subscription { somethingElse: Int }`);
    const document = parse(`subscription { somethingElse }`);
    const result = planSubscription(other, document, getOperationAST(document)!, resolveTopics(other, DEFAULT_LIVE_TOPICS));
    expect(result).toBeInstanceOf(GraphQLError);
    expect((result as GraphQLError).message).toContain("somethingElse");
  });
});
