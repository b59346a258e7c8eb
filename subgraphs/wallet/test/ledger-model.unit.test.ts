import { decide, emptyLedger, evolve, openWallet, balancesOf, type LedgerState } from "../src/ledger/model.ts";
import { requestHash, validateCommand, type LedgerCommand } from "../src/ledger/rules.ts";

/** Given/when/then over the pure ledger rules (the specification ledger_post() implements). */
const P = "0b6f4f59-8f43-4a8c-b2ad-5a2f1a1c9e01";
const Q = "7d2a9c13-5e7b-4f0a-8c61-2b9e4d3f6a02";

function given(...cmds: Array<Partial<LedgerCommand> & Pick<LedgerCommand, "type" | "idempotencyKey">>): LedgerState {
  let state = openWallet(openWallet(emptyLedger(), P), Q);
  for (const c of cmds) {
    const d = when(state, c);
    if (d.status !== "OK") throw new Error(`given: ${c.type} ${c.idempotencyKey} was refused with ${d.status}`);
    state = evolve(state, d.tx);
  }
  return state;
}

function when(state: LedgerState, c: Partial<LedgerCommand> & Pick<LedgerCommand, "type" | "idempotencyKey">) {
  const cmd = validateCommand({ playerId: P, currency: "GBP", amount: 0n, counterRef: "prov", ...c });
  return decide(state, cmd, requestHash(cmd));
}

const deposit = (key: string, amount: bigint) => ({ type: "DEPOSIT" as const, idempotencyKey: key, amount, counterRef: "psp" });
const bonus = (key: string, amount: bigint) => ({ type: "BONUS_GRANT" as const, idempotencyKey: key, amount });
const stake = (key: string, amount: bigint) => ({ type: "STAKE" as const, idempotencyKey: key, amount });
const win = (key: string, amount: bigint, refKey?: string) => ({ type: "WIN" as const, idempotencyKey: key, amount, refKey: refKey ?? null });
const rollback = (key: string, refKey: string) => ({ type: "ROLLBACK" as const, idempotencyKey: key, refKey });

describe("stakes", () => {
  it("given cash and bonus, when staking more than the cash, then cash is spent first and bonus covers the rest", () => {
    const d = when(given(deposit("d1", 300n), bonus("b1", 500n)), stake("s1", 400n));
    expect(d).toMatchObject({ status: "OK", tx: { cash: -300n, bonus: -100n, reserved: 0n, walletVersion: 3n } });
  });

  it("given too little money, when staking, then INSUFFICIENT_FUNDS", () => {
    expect(when(given(deposit("d1", 300n), bonus("b1", 50n)), stake("s1", 351n)).status).toBe("INSUFFICIENT_FUNDS");
  });

  it("given reserved funds, when staking, then the reservation is not spendable", () => {
    const state = given(deposit("d1", 300n), { type: "WITHDRAWAL_RESERVE", idempotencyKey: "w1", amount: 200n, counterRef: "psp" });
    expect(when(state, stake("s1", 101n)).status).toBe("INSUFFICIENT_FUNDS");
    expect(when(state, stake("s1", 100n)).status).toBe("OK");
  });
});

describe("wins", () => {
  it("given a stake funded 3/4 by cash and 1/4 by bonus, when it wins, then the bonus share is rounded down and the rest is cash", () => {
    const d = when(given(deposit("d1", 300n), bonus("b1", 100n), stake("s1", 400n)), win("w1", 1001n, "s1"));
    expect(d).toMatchObject({ status: "OK", tx: { bonus: 250n, cash: 751n } });
  });

  it("given no stake reference, when a win arrives, then it is all cash", () => {
    expect(when(given(), win("w1", 70n))).toMatchObject({ status: "OK", tx: { cash: 70n, bonus: 0n } });
  });

  it("given a rolled-back stake, when its win arrives, then TRANSACTION_ROLLED_BACK", () => {
    expect(when(given(deposit("d1", 100n), stake("s1", 100n), rollback("r1", "s1")), win("w1", 5n, "s1")).status).toBe("TRANSACTION_ROLLED_BACK");
  });

  it("given another player's stake, when a win refers to it, then TRANSACTION_NOT_FOUND", () => {
    const state = given({ ...deposit("d1", 100n), playerId: Q }, { ...stake("s1", 100n), playerId: Q });
    expect(when(state, win("w1", 5n, "s1")).status).toBe("TRANSACTION_NOT_FOUND");
  });
});

describe("rollbacks", () => {
  it("given a stake split between cash and bonus, when rolled back, then exactly those legs return", () => {
    const d = when(given(deposit("d1", 30n), bonus("b1", 70n), stake("s1", 100n)), rollback("r1", "s1"));
    expect(d).toMatchObject({ status: "OK", tx: { cash: 30n, bonus: 70n, reversesKey: "s1" } });
  });

  it("given a rolled-back stake, when another rollback of it arrives under a new key, then TRANSACTION_ROLLED_BACK", () => {
    expect(when(given(deposit("d1", 100n), stake("s1", 100n), rollback("r1", "s1")), rollback("r2", "s1")).status).toBe("TRANSACTION_ROLLED_BACK");
  });

  it("given a rollback that arrived before its stake, when the stake arrives, then it is refused and no money moved", () => {
    const state = given(deposit("d1", 100n), rollback("r1", "s1"));
    expect(state.byKey.get("r1")).toMatchObject({ cash: 0n, bonus: 0n });
    expect(when(state, stake("s1", 100n)).status).toBe("TRANSACTION_ROLLED_BACK");
    expect(balancesOf(state, P, "GBP").cash).toBe(100n);
  });
});

describe("withdrawals (two-phase)", () => {
  const reserved = () => given(deposit("d1", 1000n), { type: "WITHDRAWAL_RESERVE", idempotencyKey: "w1", amount: 600n, counterRef: "psp" });

  it("given a reservation, when partly committed, then the rest returns to cash", () => {
    const d = when(reserved(), { type: "WITHDRAWAL_COMMIT", idempotencyKey: "c1", refKey: "w1", amount: 450n, counterRef: "psp" });
    expect(d).toMatchObject({ status: "OK", tx: { reserved: -600n, cash: 150n, settlesKey: "w1" } });
  });

  it("given a reservation, when voided, then all of it returns to cash", () => {
    expect(when(reserved(), { type: "WITHDRAWAL_VOID", idempotencyKey: "v1", refKey: "w1", counterRef: "psp" })).toMatchObject({ status: "OK", tx: { reserved: -600n, cash: 600n } });
  });

  it("given a committed reservation, when voided or committed again under a new key, then ALREADY_SETTLED", () => {
    const state = given(deposit("d1", 1000n), { type: "WITHDRAWAL_RESERVE", idempotencyKey: "w1", amount: 600n, counterRef: "psp" }, { type: "WITHDRAWAL_COMMIT", idempotencyKey: "c1", refKey: "w1", amount: 600n, counterRef: "psp" });
    expect(when(state, { type: "WITHDRAWAL_VOID", idempotencyKey: "v1", refKey: "w1", counterRef: "psp" }).status).toBe("ALREADY_SETTLED");
    expect(when(state, { type: "WITHDRAWAL_COMMIT", idempotencyKey: "c2", refKey: "w1", amount: 1n, counterRef: "psp" }).status).toBe("ALREADY_SETTLED");
  });

  it("given a reservation, when committing more than it holds, then AMOUNT_EXCEEDS_RESERVATION", () => {
    expect(when(reserved(), { type: "WITHDRAWAL_COMMIT", idempotencyKey: "c1", refKey: "w1", amount: 601n, counterRef: "psp" }).status).toBe("AMOUNT_EXCEEDS_RESERVATION");
  });
});

describe("idempotency", () => {
  it("given an applied key, when replayed with the same inputs, then the first transaction is returned", () => {
    const state = given(deposit("d1", 100n));
    expect(when(state, deposit("d1", 100n))).toMatchObject({ status: "REPLAY", tx: { cash: 100n, walletVersion: 1n } });
  });

  it("given an applied key, when sent with other inputs, then IDEMPOTENCY_KEY_REUSED", () => {
    expect(when(given(deposit("d1", 100n)), deposit("d1", 101n)).status).toBe("IDEMPOTENCY_KEY_REUSED");
  });
});

describe("bonus and adjustments", () => {
  it("given bonus money, when forfeiting more than it, then INSUFFICIENT_FUNDS; cash is never forfeited", () => {
    const state = given(deposit("d1", 500n), bonus("b1", 100n));
    expect(when(state, { type: "BONUS_FORFEIT", idempotencyKey: "f1", amount: 101n }).status).toBe("INSUFFICIENT_FUNDS");
    expect(when(state, { type: "BONUS_FORFEIT", idempotencyKey: "f1", amount: 100n })).toMatchObject({ tx: { bonus: -100n, cash: 0n } });
  });

  it("given cash, when an adjustment would take it below zero, then INSUFFICIENT_FUNDS", () => {
    expect(when(given(deposit("d1", 10n)), { type: "MANUAL_ADJUSTMENT", idempotencyKey: "a1", amount: -11n }).status).toBe("INSUFFICIENT_FUNDS");
  });

  it("given any transactions, then the operator accounts hold exactly minus the players' balances", () => {
    const state = given(deposit("d1", 1000n), bonus("b1", 100n), stake("s1", 1050n), win("w1", 400n, "s1"), rollback("r1", "missing"));
    const players = balancesOf(state, P, "GBP");
    const operator = [...state.operator.values()].reduce((a, b) => a + b, 0n);
    expect(players.cash + players.bonus + players.reserved + operator).toBe(0n);
  });
});
