import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { GraphQLError } from "graphql";
import fc from "fast-check";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { auditLedger } from "../src/ledger/audit.ts";
import { Ledger } from "../src/ledger/ledger.ts";
import { balancesOf, decide, emptyLedger, evolve, openWallet, type LedgerState } from "../src/ledger/model.ts";
import { requestHash, validateCommand, type LedgerCommand, type TransactionType } from "../src/ledger/rules.ts";
import { walletService } from "../src/service.ts";
import { createWallet } from "./support/wallets.ts";

/**
 * Property-based tests of the database implementation (ledger_post) against the pure model, over
 * random sequences of every operation, with replays, key reuse and references to transactions that
 * come later (reordering) or never.
 */
let svc: TestService<PrismaClient>;
let ledger: Ledger;

beforeAll(async () => {
  svc = await startTestService(walletService);
  ledger = new Ledger(svc.runtime.prisma, svc.runtime.db.sql, () => undefined);
});
afterAll(async () => {
  await svc.stop();
});

const TYPES: TransactionType[] = ["STAKE", "WIN", "ROLLBACK", "DEPOSIT", "WITHDRAWAL_RESERVE", "WITHDRAWAL_COMMIT", "WITHDRAWAL_VOID", "BONUS_GRANT", "BONUS_FORFEIT", "MANUAL_ADJUSTMENT"];
const AMOUNTLESS = new Set<TransactionType>(["ROLLBACK", "WITHDRAWAL_VOID"]);

/** A command as drawn: player and keys are indexes, resolved per run. */
interface Drawn {
  type: TransactionType;
  player: 0 | 1;
  currency: "GBP" | "EUR";
  amount: number;
  key: number;
  ref: number | null;
}

const drawn = fc.record<Drawn>({
  // Money comes in more often than it can go out, so that spending is mostly possible.
  type: fc.constantFrom(...TYPES, "DEPOSIT", "DEPOSIT", "BONUS_GRANT", "STAKE", "STAKE", "WIN", "WITHDRAWAL_RESERVE"),
  player: fc.constantFrom(0 as const, 1 as const),
  currency: fc.constantFrom("GBP" as const, "GBP" as const, "GBP" as const, "EUR" as const),
  amount: fc.integer({ min: -300, max: 800 }),
  // Few distinct keys, so that replays and reuse with other inputs happen often.
  key: fc.integer({ min: 0, max: 40 }),
  ref: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
});

/**
 * Turns draws into commands. References mostly point at an earlier transaction of the right type
 * (and then take its player and currency), otherwise at any key: an unknown one, or one that comes
 * later in the sequence, which is how a rollback overtakes its stake.
 */
function toCommands(draws: Drawn[], players: string[], run: string): LedgerCommand[] {
  const earlier: Drawn[] = [];
  return draws.map((d) => {
    let { player, currency } = d;
    let amount = BigInt(d.amount);
    if (AMOUNTLESS.has(d.type)) amount = 0n;
    else if (d.type !== "MANUAL_ADJUSTMENT") amount = amount < 0n ? -amount : amount;
    if (d.type !== "STAKE" && d.type !== "WIN" && !AMOUNTLESS.has(d.type) && amount === 0n) amount = 1n;
    // Money in comes in bigger amounts than money out, so that spending mostly has something to spend.
    if (d.type === "DEPOSIT" || d.type === "BONUS_GRANT") amount *= 4n;
    let ref: number | null = null;
    const refType = d.type === "WIN" || d.type === "ROLLBACK" ? "STAKE" : d.type === "WITHDRAWAL_COMMIT" || d.type === "WITHDRAWAL_VOID" ? "WITHDRAWAL_RESERVE" : null;
    if (refType && (d.ref !== null || d.type !== "WIN")) {
      const candidates = earlier.filter((e) => e.type === refType);
      const pick = d.ref ?? d.key;
      if (candidates.length && pick % 4 !== 0) {
        const target = candidates[pick % candidates.length]!;
        ({ player, currency } = target);
        ref = target.key;
      } else {
        ref = pick;
      }
    }
    earlier.push({ ...d, player, currency });
    return {
      type: d.type,
      playerId: players[player]!,
      currency,
      amount,
      idempotencyKey: `${run}-k${d.key}`,
      refKey: ref === null ? null : `${run}-k${ref}`,
      counterRef: d.type.startsWith("WITHDRAWAL") || d.type === "DEPOSIT" ? "psp-1" : "provider-1",
      reference: { round: `r${d.key % 5}` },
    };
  });
}

/** Business-shaped sequences: rounds, deposits, withdrawals, bonuses, plus replays and key reuse. */
const who = { player: fc.constantFrom(0 as const, 1 as const), currency: fc.constantFrom("GBP" as const, "GBP" as const, "EUR" as const) };
const scenario = fc.oneof(
  fc.record({ kind: fc.constant("deposit" as const), ...who, amount: fc.integer({ min: 1, max: 3_000 }) }),
  fc.record({ kind: fc.constant("bonus" as const), ...who, amount: fc.integer({ min: 1, max: 1_000 }), forfeit: fc.integer({ min: 0, max: 1_200 }) }),
  fc.record({
    kind: fc.constant("round" as const),
    ...who,
    stake: fc.integer({ min: 0, max: 2_500 }),
    win: fc.integer({ min: 0, max: 2_500 }),
    rollback: fc.constantFrom("none" as const, "none" as const, "after" as const, "before" as const, "afterWin" as const),
  }),
  fc.record({
    kind: fc.constant("withdraw" as const),
    ...who,
    amount: fc.integer({ min: 1, max: 2_000 }),
    commit: fc.integer({ min: 0, max: 2_100 }),
    settle: fc.constantFrom("commit" as const, "void" as const, "both" as const, "none" as const),
  }),
  fc.record({ kind: fc.constant("adjust" as const), ...who, amount: fc.integer({ min: -500, max: 500 }).filter((a) => a !== 0) }),
  { arbitrary: fc.record({ kind: fc.constant("replay" as const), index: fc.nat(), reuse: fc.boolean() }), weight: 3 },
);
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * Opens every run, so that each refusal, and each operation's success, is exercised whatever the
 * random part draws (fast-check favours short arrays, so the random part alone drew as few as 4
 * successes of one operation in 30 runs).
 */
const EVERY_OUTCOME: Scenario[] = [
  { kind: "round", player: 0, currency: "GBP", stake: 100, win: 10, rollback: "none" },
  { kind: "round", player: 0, currency: "GBP", stake: 100, win: 10, rollback: "afterWin" },
  { kind: "bonus", player: 0, currency: "GBP", amount: 500, forfeit: 100 },
  { kind: "adjust", player: 0, currency: "GBP", amount: 50 },
  { kind: "deposit", player: 0, currency: "GBP", amount: 100 },
  { kind: "withdraw", player: 0, currency: "GBP", amount: 100, commit: 50, settle: "commit" },
  { kind: "withdraw", player: 0, currency: "GBP", amount: 100, commit: 0, settle: "void" },
  { kind: "round", player: 0, currency: "GBP", stake: 9_000, win: 10, rollback: "none" },
  { kind: "round", player: 0, currency: "GBP", stake: 100, win: 10, rollback: "before" },
  { kind: "round", player: 0, currency: "GBP", stake: 100, win: 10, rollback: "after" },
  { kind: "withdraw", player: 1, currency: "EUR", amount: 100, commit: 200, settle: "commit" },
  { kind: "withdraw", player: 1, currency: "EUR", amount: 100, commit: 50, settle: "both" },
  { kind: "replay", index: 0, reuse: false },
  { kind: "replay", index: 1, reuse: true },
];

function expand(scenarios: Scenario[], players: string[], run: string): LedgerCommand[] {
  const out: LedgerCommand[] = [];
  let n = 0;
  const key = () => `${run}-${n++}`;
  // Every run starts with some money in each wallet and currency, so that most spending is possible.
  for (const playerId of players) {
    for (const currency of ["GBP", "EUR"]) out.push({ type: "DEPOSIT", playerId, currency, amount: 1_500n, idempotencyKey: key(), counterRef: "psp-1" });
  }
  for (const s of scenarios) {
    if (s.kind === "replay") {
      const earlier = out[s.index % Math.max(out.length, 1)];
      // The same command again, or its key with other inputs.
      if (earlier) out.push(s.reuse ? { ...earlier, reference: { changed: true } } : earlier);
      continue;
    }
    const base = { playerId: players[s.player]!, currency: s.currency };
    const game = { ...base, counterRef: "provider-1", reference: { round: key() } };
    const psp = { ...base, counterRef: "psp-1" };
    switch (s.kind) {
      case "deposit":
        out.push({ ...psp, type: "DEPOSIT", amount: BigInt(s.amount), idempotencyKey: key() });
        break;
      case "bonus":
        out.push({ ...base, type: "BONUS_GRANT", amount: BigInt(s.amount), idempotencyKey: key() });
        out.push({ ...base, type: "BONUS_FORFEIT", amount: BigInt(s.forfeit || 1), idempotencyKey: key() });
        break;
      case "round": {
        const stakeKey = key();
        const stake: LedgerCommand = { ...game, type: "STAKE", amount: BigInt(s.stake), idempotencyKey: stakeKey };
        const win: LedgerCommand = { ...game, type: "WIN", amount: BigInt(s.win), idempotencyKey: key(), refKey: stakeKey };
        const rollback: LedgerCommand = { ...game, type: "ROLLBACK", amount: 0n, idempotencyKey: key(), refKey: stakeKey };
        if (s.rollback === "before") out.push(rollback, stake, win);
        else if (s.rollback === "after") out.push(stake, rollback, win);
        else if (s.rollback === "afterWin") out.push(stake, win, rollback);
        else out.push(stake, win);
        break;
      }
      case "withdraw": {
        const reserveKey = key();
        out.push({ ...psp, type: "WITHDRAWAL_RESERVE", amount: BigInt(s.amount), idempotencyKey: reserveKey });
        const commit: LedgerCommand = { ...psp, type: "WITHDRAWAL_COMMIT", amount: BigInt(s.commit || 1), idempotencyKey: key(), refKey: reserveKey };
        const voided: LedgerCommand = { ...psp, type: "WITHDRAWAL_VOID", amount: 0n, idempotencyKey: key(), refKey: reserveKey };
        if (s.settle === "commit") out.push(commit);
        if (s.settle === "void") out.push(voided);
        if (s.settle === "both") out.push(commit, voided);
        break;
      }
      case "adjust":
        out.push({ ...base, type: "MANUAL_ADJUSTMENT", amount: BigInt(s.amount), idempotencyKey: key() });
        break;
    }
  }
  return out;
}

async function postOutcome(cmd: LedgerCommand) {
  try {
    const t = await ledger.post(cmd);
    return { status: t.replayed ? "REPLAY" : "OK", cash: t.amount, bonus: t.bonusAmount, reserved: t.reservedAmount, version: t.walletVersion };
  } catch (err) {
    if (err instanceof GraphQLError) return { status: String(err.extensions.code) };
    throw err;
  }
}

const REFUSAL_CODE: Record<string, string> = { WALLET_NOT_FOUND: "NOT_FOUND" };

async function assertDatabaseMatches(model: LedgerState, players: string[]) {
  for (const playerId of players) {
    const accounts = await svc.runtime.prisma.account.findMany({ where: { playerId } });
    for (const currency of ["GBP", "EUR"]) {
      const of = (type: string) => accounts.find((a) => a.type === type && a.currency === currency)?.balance ?? 0n;
      const expected = balancesOf(model, playerId, currency);
      expect({ cash: of("PLAYER_CASH"), bonus: of("PLAYER_BONUS"), reserved: of("PLAYER_RESERVED") }).toEqual(expected);
      expect(of("PLAYER_CASH") >= 0n && of("PLAYER_BONUS") >= 0n && of("PLAYER_RESERVED") >= 0n).toBe(true);
    }
    const wallet = await svc.runtime.prisma.wallet.findUniqueOrThrow({ where: { playerId } });
    expect(wallet.version).toBe(model.wallets.get(playerId)!.version);
  }
  const applied = [...model.byKey.values()].filter((t) => players.includes(t.playerId)).length;
  expect(await svc.runtime.prisma.ledgerTransaction.count({ where: { playerId: { in: players } } })).toBe(applied);
}

const seen = new Map<string, number>();
const tally = (type: string, status: string) => seen.set(`${type} ${status}`, (seen.get(`${type} ${status}`) ?? 0) + 1);

describe("the ledger against its model", () => {
  it("answers every command of a random sequence as the model does, and ends with the same balances", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(scenario, { minLength: 5, maxLength: 30 }).map((random) => [...EVERY_OUTCOME, ...random]), async (scenarios) => {
        const run = randomUUID().slice(0, 8);
        const players = [await createWallet(svc), await createWallet(svc, "EUR")];
        let model = players.reduce(openWallet, emptyLedger());
        for (const cmd of expand(scenarios, players, run)) {
          const valid = validateCommand(cmd);
          const expected = decide(model, valid, requestHash(valid));
          const actual = await postOutcome(cmd);
          tally(cmd.type, actual.status);
          if (expected.status === "OK" || expected.status === "REPLAY") {
            expect(actual).toEqual({ status: expected.status, cash: expected.tx.cash, bonus: expected.tx.bonus, reserved: expected.tx.reserved, version: expected.tx.walletVersion });
          } else {
            expect(actual).toEqual({ status: REFUSAL_CODE[expected.status] ?? expected.status });
          }
          if (expected.status === "OK") model = evolve(model, expected.tx);
        }
        await assertDatabaseMatches(model, players);
      }),
      { numRuns: 30 },
    );
    // The sequences must exercise every operation's success and its refusals, not only refusals.
    for (const type of TYPES) expect(seen.get(`${type} OK`) ?? 0).toBeGreaterThan(5);
    for (const outcome of ["STAKE INSUFFICIENT_FUNDS", "STAKE TRANSACTION_ROLLED_BACK", "WIN TRANSACTION_ROLLED_BACK", "WITHDRAWAL_VOID ALREADY_SETTLED", "WITHDRAWAL_COMMIT AMOUNT_EXCEEDS_RESERVATION"]) {
      expect(seen.get(outcome) ?? 0).toBeGreaterThan(0);
    }
    const total = (status: string) => [...seen].filter(([k]) => k.endsWith(` ${status}`)).reduce((sum, [, count]) => sum + count, 0);
    expect(total("REPLAY")).toBeGreaterThan(10);
    expect(total("IDEMPOTENCY_KEY_REUSED")).toBeGreaterThan(10);
    const audit = await auditLedger(svc.runtime.prisma);
    expect(audit.mismatches).toEqual([]);
    expect(audit.checkedTransactions).toBeGreaterThan(300);
  }, 300_000);

  it("keeps the invariants when commands race: zero-sum postings, projections equal to a replay, no key twice", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(drawn, { minLength: 10, maxLength: 50 }), async (draws) => {
        const run = randomUUID().slice(0, 8);
        const players = [await createWallet(svc), await createWallet(svc, "EUR")];
        const commands = toCommands(draws, players, run);
        // Each command sent twice, everything at once: order and interleaving are up to the database.
        const outcomes = await Promise.all([...commands, ...commands].map(postOutcome));
        expect(outcomes.every((o) => typeof o.status === "string")).toBe(true);
        const txs = await svc.runtime.prisma.ledgerTransaction.findMany({ where: { playerId: { in: players } }, include: { postings: true } });
        expect(new Set(txs.map((t) => t.idempotencyKey)).size).toBe(txs.length);
        for (const t of txs) expect(t.postings.reduce((sum, p) => sum + p.amount, 0n)).toBe(0n);
        const accounts = await svc.runtime.prisma.account.findMany({ where: { playerId: { in: players } }, include: { postings: true } });
        for (const a of accounts) {
          expect(a.balance).toBe(a.postings.reduce((sum, p) => sum + p.amount, 0n));
          expect(a.balance >= 0n).toBe(true);
        }
      }),
      { numRuns: 15 },
    );
    const audit = await auditLedger(svc.runtime.prisma);
    expect(audit).toMatchObject({ ok: true, mismatches: [] });
  }, 300_000);
});
