import { GAME_FIELDS, type GamePage, type GamesTestService } from "./types.ts";

const LOBBY = `query($first: Int, $after: String, $filter: GameFilter) {
  games(first: $first, after: $after, filter: $filter) {
    edges { cursor node { ${GAME_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export function queryLobby(
  svc: GamesTestService,
  args: { first?: number; after?: string | null; filter?: Record<string, unknown> } = {},
  token?: string,
) {
  return svc.graphql<{ games: GamePage }>(LOBBY, args, token);
}

/** Walks every page of the lobby and returns the game ids in the order the pages gave them. */
export async function walkLobby(svc: GamesTestService, first: number, filter: Record<string, unknown>, token?: string) {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  let after: string | null = null;
  // Bounded, so a cursor that never ends fails the test instead of hanging it.
  for (let pages = 0; pages < 100; pages += 1) {
    const res = await queryLobby(svc, { first, after, filter }, token);
    expect(res.errors).toBeUndefined();
    const page: GamePage = res.data!.games;
    ids.push(...page.edges.map((e) => e.node.id));
    pageSizes.push(page.edges.length);
    if (!page.pageInfo.hasNextPage) return { ids, pageSizes };
    after = page.pageInfo.endCursor;
  }
  throw new Error("the lobby did not end within 100 pages");
}
