/**
 * The provider's own book of each round's money, kept from the answers it got (as a real aggregator
 * reconciles against its records): a stake counts when its bet was accepted and not rolled back, a win
 * when it was accepted. Every answer to the same transaction id must be the same; a difference is
 * recorded as an inconsistency.
 */
export interface RoundMoney {
  /** Accepted stakes not rolled back, minor units. */
  staked: bigint;
  won: bigint;
}

export class RoundBook {
  private readonly rounds = new Map<string, { stakes: Map<string, bigint>; rolledBack: Set<string>; wins: Map<string, bigint> }>();
  private readonly answers = new Map<string, string>();
  readonly inconsistencies: string[] = [];

  private round(roundId: string) {
    let r = this.rounds.get(roundId);
    if (!r) this.rounds.set(roundId, (r = { stakes: new Map(), rolledBack: new Set(), wins: new Map() }));
    return r;
  }

  /** Records a final answer for a transaction id; a different final answer for the same id is an inconsistency. */
  answered(txId: string, answer: string): void {
    const first = this.answers.get(txId);
    if (first === undefined) this.answers.set(txId, answer);
    else if (first !== answer) this.inconsistencies.push(`${txId}: first ${first}, then ${answer}`);
  }

  stakeAccepted(roundId: string, betId: string, amount: bigint): void {
    this.round(roundId).stakes.set(betId, amount);
  }

  rollbackAccepted(roundId: string, betId: string): void {
    this.round(roundId).rolledBack.add(betId);
  }

  winAccepted(roundId: string, winId: string, amount: bigint): void {
    this.round(roundId).wins.set(winId, amount);
  }

  money(roundId: string): RoundMoney {
    const r = this.round(roundId);
    let staked = 0n;
    for (const [id, amount] of r.stakes) if (!r.rolledBack.has(id)) staked += amount;
    let won = 0n;
    for (const amount of r.wins.values()) won += amount;
    return { staked, won };
  }

  roundIds(): string[] {
    return [...this.rounds.keys()];
  }
}
