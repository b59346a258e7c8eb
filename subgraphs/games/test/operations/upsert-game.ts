import { GAME_FIELDS, type GamesTestService, type GameView } from "./types.ts";

const UPSERT_GAME = `mutation($input: GameInput!) { upsertGame(input: $input) { ${GAME_FIELDS} } }`;

/** A valid game input for `providerId`; `overrides` replace fields, e.g. to make one invalid. */
export function gameInput(providerId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    providerId,
    code: "starlight-fortune",
    name: "Starlight Fortune",
    type: "SLOT",
    rtpBasisPoints: 9650,
    volatility: "HIGH",
    minStake: { amount: "0.10", currency: "GBP" },
    maxStake: { amount: "100.00", currency: "GBP" },
    jurisdictions: ["GB"],
    categories: ["popular"],
    ...overrides,
  };
}

export function upsertGame(svc: GamesTestService, input: Record<string, unknown>, token?: string) {
  return svc.graphql<{ upsertGame: GameView }>(UPSERT_GAME, { input }, token);
}
