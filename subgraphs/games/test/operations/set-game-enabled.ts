import type { GamesTestService } from "./types.ts";

const SET_GAME_ENABLED = `mutation($id: ID!, $enabled: Boolean!) { setGameEnabled(id: $id, enabled: $enabled) { id enabled } }`;

export function setGameEnabled(svc: GamesTestService, id: string, enabled: boolean, token?: string) {
  return svc.graphql<{ setGameEnabled: { id: string; enabled: boolean } }>(SET_GAME_ENABLED, { id, enabled }, token);
}
