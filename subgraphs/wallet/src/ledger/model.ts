import type { LedgerCommand, TransactionType } from "./rules.ts";

/**
 * The ledger's rules as pure functions of (state, command): the specification that the database
 * function ledger_post() implements in one round trip. Unit tests state the rules against it in
 * given/when/then form; property tests run random command sequences through both and require the
 * same answers and the same balances.
 */

export interface Balances {
  cash: bigint;
  bonus: bigint;
  reserved: bigint;
}

export interface ModelTransaction {
  type: TransactionType;
  playerId: string;
  currency: string;
  idempotencyKey: string;
  requestHash: string;
  /** Signed changes of the player's accounts; the counter-leg is minus their sum. */
  cash: bigint;
  bonus: bigint;
  reserved: bigint;
  /** Operator account of the counter-leg: "<type>|<currency>|<ref>". */
  counterAccount: string;
  refKey: string | null;
  reversesKey: string | null;
  settlesKey: string | null;
  walletVersion: bigint;
}

export interface LedgerState {
  /** Wallet version and balances per currency, by player. */
  wallets: ReadonlyMap<string, { version: bigint; balances: ReadonlyMap<string, Balances> }>;
  byKey: ReadonlyMap<string, ModelTransaction>;
  /** Stake keys with a rollback (or a rollback tombstone). */
  reversed: ReadonlySet<string>;
  /** Reservation keys already committed or voided. */
  settled: ReadonlySet<string>;
  /** Operator accounts' totals, derived from their postings. */
  operator: ReadonlyMap<string, bigint>;
}

export type Refusal =
  | "WALLET_NOT_FOUND"
  | "IDEMPOTENCY_KEY_REUSED"
  | "INSUFFICIENT_FUNDS"
  | "TRANSACTION_NOT_FOUND"
  | "TRANSACTION_ROLLED_BACK"
  | "ALREADY_SETTLED"
  | "AMOUNT_EXCEEDS_RESERVATION";

export type Decision = { status: "OK" | "REPLAY"; tx: ModelTransaction } | { status: Refusal };

export const emptyLedger = (): LedgerState => ({ wallets: new Map(), byKey: new Map(), reversed: new Set(), settled: new Set(), operator: new Map() });

const ZERO: Balances = { cash: 0n, bonus: 0n, reserved: 0n };
const COUNTER_TYPE: Record<TransactionType, string> = {
  STAKE: "OPERATOR_GAME_REVENUE",
  WIN: "OPERATOR_GAME_REVENUE",
  ROLLBACK: "OPERATOR_GAME_REVENUE",
  DEPOSIT: "OPERATOR_PSP_CLEARING",
  WITHDRAWAL_RESERVE: "OPERATOR_PSP_CLEARING",
  WITHDRAWAL_COMMIT: "OPERATOR_PSP_CLEARING",
  WITHDRAWAL_VOID: "OPERATOR_PSP_CLEARING",
  BONUS_GRANT: "OPERATOR_BONUS_COST",
  BONUS_FORFEIT: "OPERATOR_BONUS_COST",
  MANUAL_ADJUSTMENT: "OPERATOR_MANUAL_ADJUSTMENT",
};

export function openWallet(state: LedgerState, playerId: string): LedgerState {
  if (state.wallets.has(playerId)) return state;
  return { ...state, wallets: new Map(state.wallets).set(playerId, { version: 0n, balances: new Map() }) };
}

export const balancesOf = (state: LedgerState, playerId: string, currency: string): Balances =>
  state.wallets.get(playerId)?.balances.get(currency) ?? ZERO;

/** What ledger_post() answers to a validated command in this state. Never changes the state. */
export function decide(state: LedgerState, cmd: LedgerCommand, requestHash: string): Decision {
  const wallet = state.wallets.get(cmd.playerId);
  if (!wallet) return { status: "WALLET_NOT_FOUND" };
  const existing = state.byKey.get(cmd.idempotencyKey);
  if (existing) return existing.requestHash === requestHash ? { status: "REPLAY", tx: existing } : { status: "IDEMPOTENCY_KEY_REUSED" };

  const b = balancesOf(state, cmd.playerId, cmd.currency);
  const refKey = cmd.refKey ?? null;
  const ref = refKey === null ? undefined : state.byKey.get(refKey);
  const sameOwner = (t: ModelTransaction | undefined, type: TransactionType): t is ModelTransaction =>
    t !== undefined && t.type === type && t.playerId === cmd.playerId && t.currency === cmd.currency;
  let counterAccount = `${COUNTER_TYPE[cmd.type]}|${cmd.currency}|${cmd.counterRef ?? ""}`;
  let cash = 0n;
  let bonus = 0n;
  let reserved = 0n;
  let reversesKey: string | null = null;
  let settlesKey: string | null = null;

  switch (cmd.type) {
    case "STAKE": {
      if (state.reversed.has(cmd.idempotencyKey)) return { status: "TRANSACTION_ROLLED_BACK" };
      if (b.cash + b.bonus < cmd.amount) return { status: "INSUFFICIENT_FUNDS" };
      // Spending order: cash first, then bonus.
      cash = -(b.cash < cmd.amount ? b.cash : cmd.amount);
      bonus = -(cmd.amount + cash);
      break;
    }
    case "WIN": {
      cash = cmd.amount;
      if (refKey !== null) {
        if (!sameOwner(ref, "STAKE")) return { status: "TRANSACTION_NOT_FOUND" };
        if (state.reversed.has(refKey)) return { status: "TRANSACTION_ROLLED_BACK" };
        // Wins follow the stake's funding: the bonus share, rounded down, goes back to bonus.
        const stake = -(ref.cash + ref.bonus);
        bonus = stake > 0n ? (cmd.amount * -ref.bonus) / stake : 0n;
        cash = cmd.amount - bonus;
      }
      break;
    }
    case "ROLLBACK": {
      reversesKey = refKey;
      if (state.reversed.has(refKey!)) return { status: "TRANSACTION_ROLLED_BACK" };
      if (ref !== undefined) {
        if (!sameOwner(ref, "STAKE")) return { status: "TRANSACTION_NOT_FOUND" };
        cash = -ref.cash;
        bonus = -ref.bonus;
        counterAccount = ref.counterAccount;
      }
      // An unknown stake: a tombstone without postings, which refuses the stake when it arrives.
      break;
    }
    case "DEPOSIT":
      cash = cmd.amount;
      break;
    case "WITHDRAWAL_RESERVE":
      if (b.cash < cmd.amount) return { status: "INSUFFICIENT_FUNDS" };
      cash = -cmd.amount;
      reserved = cmd.amount;
      break;
    case "WITHDRAWAL_COMMIT":
    case "WITHDRAWAL_VOID": {
      settlesKey = refKey;
      if (!sameOwner(ref, "WITHDRAWAL_RESERVE")) return { status: "TRANSACTION_NOT_FOUND" };
      if (state.settled.has(refKey!)) return { status: "ALREADY_SETTLED" };
      if (cmd.type === "WITHDRAWAL_COMMIT" && cmd.amount > ref.reserved) return { status: "AMOUNT_EXCEEDS_RESERVATION" };
      reserved = -ref.reserved;
      // A partial commit releases the rest of the reservation back to cash.
      cash = ref.reserved - (cmd.type === "WITHDRAWAL_COMMIT" ? cmd.amount : 0n);
      break;
    }
    case "BONUS_GRANT":
      bonus = cmd.amount;
      break;
    case "BONUS_FORFEIT":
      if (b.bonus < cmd.amount) return { status: "INSUFFICIENT_FUNDS" };
      bonus = -cmd.amount;
      break;
    case "MANUAL_ADJUSTMENT":
      if (b.cash + cmd.amount < 0n) return { status: "INSUFFICIENT_FUNDS" };
      cash = cmd.amount;
      break;
    default: {
      const unknown: never = cmd.type;
      throw new Error(`unknown transaction type ${String(unknown)}`);
    }
  }
  return {
    status: "OK",
    tx: {
      type: cmd.type,
      playerId: cmd.playerId,
      currency: cmd.currency,
      idempotencyKey: cmd.idempotencyKey,
      requestHash,
      cash,
      bonus,
      reserved,
      counterAccount,
      refKey,
      reversesKey,
      settlesKey,
      walletVersion: wallet.version + 1n,
    },
  };
}

/** The state after a transaction that decide() returned with status OK. */
export function evolve(state: LedgerState, tx: ModelTransaction): LedgerState {
  const wallet = state.wallets.get(tx.playerId)!;
  const b = wallet.balances.get(tx.currency) ?? ZERO;
  const balances = new Map(wallet.balances).set(tx.currency, { cash: b.cash + tx.cash, bonus: b.bonus + tx.bonus, reserved: b.reserved + tx.reserved });
  const counter = -(tx.cash + tx.bonus + tx.reserved);
  return {
    wallets: new Map(state.wallets).set(tx.playerId, { version: tx.walletVersion, balances }),
    byKey: new Map(state.byKey).set(tx.idempotencyKey, tx),
    reversed: tx.reversesKey === null ? state.reversed : new Set(state.reversed).add(tx.reversesKey),
    settled: tx.settlesKey === null ? state.settled : new Set(state.settled).add(tx.settlesKey),
    operator: counter === 0n ? state.operator : new Map(state.operator).set(tx.counterAccount, (state.operator.get(tx.counterAccount) ?? 0n) + counter),
  };
}
