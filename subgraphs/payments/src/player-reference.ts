/**
 * What Player resolves from here: the player subgraph owns the entity, this subgraph only knows
 * its id (from a federation representation or a payment's playerId).
 */
export interface PlayerReference {
  __typename?: "Player";
  id: string;
}
