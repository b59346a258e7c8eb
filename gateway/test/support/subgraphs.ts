import { decodeJwt } from "jose";
import { sleep, startSubgraph, type TestSubgraph } from "./harness.ts";

const FEDERATION = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])`;

const playerTypeDefs = `${FEDERATION}
type Query {
  me: Player
  player(id: ID!): Player
  players(first: Int): [Player!]!
}
type Player @key(fields: "id") {
  id: ID!
  name: String!
  friends(limit: Int): [Player!]!
}
`;

const walletTypeDefs = `${FEDERATION}
type Query {
  balanceOfPlayer(playerId: ID!, currency: String): BalanceUpdate
  transactions(first: Int = 20): TransactionConnection!
}
type Subscription {
  balanceChanged: BalanceUpdate!
  "Fed by the live topic realityCheck only (compliance declares it in the real schema)."
  realityCheck: RealityCheck!
}
type RealityCheck {
  playerId: ID!
  sessionStartedAt: String!
  elapsedMinutes: Int!
  stakes: Money!
  wins: Money!
  netPosition: Money!
  reminder: Int!
  at: String!
}
type Player @key(fields: "id") {
  id: ID!
  balance: Money!
}
type Money @shareable {
  amount: String!
  currency: String!
}
type BalanceUpdate {
  playerId: ID!
  balance: Money!
  balances: [Money!]!
  version: Int!
  "Not in live messages: selecting it forces the twin-query refetch."
  lastTransactionAt: String
  player: Player!
}
type TransactionConnection {
  edges: [TransactionEdge!]!
}
type TransactionEdge {
  node: Transaction!
}
type Transaction {
  id: ID!
  amount: Money!
}
`;

const playerName = (id: string) => `Player ${id}`;

export function startPlayerSubgraph(): Promise<TestSubgraph> {
  return startSubgraph("player", playerTypeDefs, () => ({
    Query: {
      me: (_p: unknown, _a: unknown, ctx: { seen: { authorization?: string } }) => {
        const token = ctx.seen.authorization?.replace(/^Bearer\s+/i, "");
        return token ? { id: decodeJwt(token).sub } : null;
      },
      player: (_p: unknown, { id }: { id: string }) => ({ id }),
      players: (_p: unknown, { first }: { first?: number }) => Array.from({ length: Math.min(first ?? 3, 3) }, (_, i) => ({ id: `p${i}` })),
    },
    Player: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      name: (p: { id: string }) => playerName(p.id),
      friends: (p: { id: string }) => [{ id: `${p.id}-friend` }],
    },
  }));
}

export interface TwinCall {
  playerId: string;
  currency: string | null | undefined;
  authorization: string | undefined;
}

export interface WalletState {
  /** Balance versions by player; the twin answers with the current one. */
  versions: Map<string, number>;
  twinCalls: TwinCall[];
  /** Delay of every twin answer, to make refetches slow. */
  twinDelayMs: number;
}

export async function startWalletSubgraph(): Promise<TestSubgraph & { state: WalletState }> {
  const state: WalletState = { versions: new Map(), twinCalls: [], twinDelayMs: 0 };
  const subgraph = await startSubgraph("wallet", walletTypeDefs, () => ({
    Query: {
      balanceOfPlayer: async (
        _p: unknown,
        { playerId, currency }: { playerId: string; currency?: string | null },
        ctx: { seen: { authorization?: string } },
      ) => {
        state.twinCalls.push({ playerId, currency, authorization: ctx.seen.authorization });
        if (state.twinDelayMs) await sleep(state.twinDelayMs);
        const version = state.versions.get(playerId) ?? 0;
        const money = { amount: `${version}.00`, currency: currency ?? "GBP" };
        return { playerId, version, balance: money, balances: [money], lastTransactionAt: `t${version}` };
      },
      transactions: () => ({ edges: [] }),
    },
    BalanceUpdate: {
      player: (b: { playerId: string }) => ({ __typename: "Player", id: b.playerId }),
    },
    Player: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
      balance: (p: { id: string }) => ({ amount: `${state.versions.get(p.id) ?? 0}.00`, currency: "GBP" }),
    },
  }));
  return Object.assign(subgraph, { state });
}

export { playerName };
