import { GAME_FIELDS, type GamesTestService, type GameView } from "./types.ts";

const GAME = `query($id: ID!) { game(id: $id) { ${GAME_FIELDS} } }`;

export function queryGame(svc: GamesTestService, id: string, token?: string) {
  return svc.graphql<{ game: GameView | null }>(GAME, { id }, token);
}
