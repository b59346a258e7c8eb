/**
 * GameTransactionService: the one place where RGS callbacks become money movements. Adapters hand it
 * normalised commands (model.ts); it checks launch sessions, games and compliance, moves money only
 * through the wallet's internal API (idempotency keys namespaced per provider), and records every
 * provider transaction id with its request hash and first answer so that each answer is the same
 * whatever the order of retries.
 *
 * How a command runs (an "attempt", see store.ts):
 *   1. Checks of the request (player, currency, game; then its launch session). The session is read
 *      in the same statement that claims the request's ids (the attempt and its ids, committed before
 *      the wallet is called) when they were never seen and the session allows the request: for a
 *      fresh request that is the whole of its work before the wallet.
 *   2. Otherwise replays: a transaction id seen before with the same inputs gets its stored answer,
 *      with different inputs DUPLICATE; ids still being worked on are waited for (or recovered when
 *      their worker's lease ran out). Only for ids never seen is a refusal of step 1 answered, and
 *      it is not recorded.
 *   3. Claim: ids not yet recorded (part of a partly retried batch, or after a race) are claimed.
 *   4. Compliance for every stake; then the refusable steps (stakes; a win naming its stake; a
 *      rollback). A batch of several steps records its decision (APPLY or REFUSE) before acting on
 *      it: on REFUSE every stake of the batch is reversed with its own key (`<stake key>.undo`, which
 *      also tombstones a stake that never arrived), on APPLY the batch's wins are posted. Wins cannot
 *      be reversed by the wallet, so they come after the decision and are only ever rolled forward.
 *   5. Finish: the answer is written on every id of the attempt.
 * A crash or a wallet that cannot be reached leaves the attempt unfinished with its lease released;
 * the next request for any of its ids recovers it (redo from the start when undecided: every wallet
 * key replays or applies; otherwise finish the decision), fenced by the attempt's owner.
 */
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@casino/kernel/logger";
import { WalletApiError, type WalletCommand } from "@casino/wallet-client";
import {
  gameKindOf,
  outcome,
  type BalanceCommand,
  type BatchCommand,
  type BetCommand,
  type GameKind,
  type Outcome,
  type OutcomeCode,
  type RgsProvider,
  type RollbackCommand,
  type StepResult,
  type WinCommand,
} from "./model.ts";
import { isTokenShaped, sessionViewOf, tokenHash, type LaunchSessionView } from "../launch/sessions.ts";
import type { ComplianceGate, WalletPort } from "./ports.ts";
import type { GameRow, PlannedTransaction, RgsStore, StoredTransaction, TransactionKind } from "./store.ts";

export interface GameTransactionServiceOptions {
  store: RgsStore;
  wallet: WalletPort;
  compliance: ComplianceGate;
  log: Logger;
  /** The clock that judges launch sessions' expiry (the games service's). */
  now?: () => Date;
  /** How long a worker owns an attempt before another request may recover it. */
  leaseMs?: number;
  /** How long a request waits for another worker's attempt on the same ids before answering UNAVAILABLE. */
  busyWaitMs?: number;
  /** Catalogue entries are cached this long (a disabled game stops taking bets within it). */
  gameCacheMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Provider ids used as they are inside wallet keys; anything else is hashed. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The wallet idempotency key of a provider transaction id: `rgs:<provider>:<id>`. */
export function walletKeyOf(providerCode: string, txId: string): string {
  const id = SAFE_ID.test(txId) && !txId.startsWith("sha256.") ? txId : `sha256.${sha256(txId)}`;
  return `rgs:${providerCode}:${id}`;
}

/** Key of the wallet rollback that reverses a stake of a refused batch. */
export const undoKeyOf = (stakeWalletKey: string) => `${stakeWalletKey}.undo`;

interface WalletOk {
  ok: true;
  /** Null for a rollback that found its stake already reversed by our own undo. */
  walletTransactionId: string | null;
  balance: bigint;
}
interface WalletRefused {
  ok: false;
  transient: boolean;
  code: OutcomeCode;
  balance: bigint | null;
  detail: string;
}
type WalletAnswer = WalletOk | WalletRefused;

const spendable = (cash: string | undefined, bonus: string | undefined): bigint | null =>
  cash === undefined ? null : BigInt(cash) + BigInt(bonus ?? "0");

/** The wallet's refusals in the model's terms; anything but a refusal is transient (state unknown). */
function fromWalletError(err: unknown): WalletRefused {
  if (err instanceof WalletApiError) {
    const balance = spendable(err.details?.cashBalance, err.details?.bonusBalance);
    const refused = (code: OutcomeCode): WalletRefused => ({ ok: false, transient: false, code, balance, detail: `wallet: ${err.code}` });
    switch (err.code) {
      case "INSUFFICIENT_FUNDS":
        return refused("INSUFFICIENT_FUNDS");
      case "TRANSACTION_ROLLED_BACK":
        return refused("ROLLED_BACK");
      case "TRANSACTION_NOT_FOUND":
        return refused("NOT_FOUND");
      case "IDEMPOTENCY_KEY_REUSED":
        return refused("DUPLICATE");
      case "NOT_FOUND":
        return refused("INVALID_PLAYER");
      default:
        return { ok: false, transient: true, code: "UNAVAILABLE", balance: null, detail: `wallet: ${err.code} (${err.status})` };
    }
  }
  return { ok: false, transient: true, code: "UNAVAILABLE", balance: null, detail: `wallet: ${(err as Error).message}` };
}

function sameOrder<T extends { externalId: string }>(ids: readonly string[], items: readonly T[]): T[] {
  const byId = new Map(items.map((i) => [i.externalId, i]));
  return ids.map((id) => byId.get(id)).filter((i): i is T => i !== undefined);
}

/** A recorded answer, as first given. */
function replayOf(ids: readonly string[], stored: readonly StoredTransaction[]): Outcome {
  const ordered = sameOrder(ids, stored);
  const refused = ordered.find((s) => s.outcome !== "OK");
  const last = refused ?? ordered.reduce((a, b) => ((b.processedAt?.getTime() ?? 0) >= (a.processedAt?.getTime() ?? 0) ? b : a));
  return {
    code: last.outcome!,
    balance: last.balanceMinor,
    currency: last.currency,
    replayed: true,
    steps: refused ? [] : ordered.map((s) => ({ txId: s.externalId, walletTransactionId: s.walletTransactionId, processedAt: s.processedAt! })),
  };
}

/** What a money request is checked against before anything is written (its session and game). */
interface RequestCheck {
  playerId: string;
  token: string | null;
  gameCode: string;
  /** The currency the session must play in. */
  currency: string;
  /** A stake: needs a REAL session of the game, neither ended nor expired. */
  bet: boolean;
}

export class GameTransactionService {
  private readonly leaseMs: number;
  private readonly busyWaitMs: number;
  private readonly gameCacheMs: number;
  private readonly now: () => Date;
  private readonly games = new Map<string, { at: number; row: GameRow | null }>();

  constructor(private readonly opts: GameTransactionServiceOptions) {
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.busyWaitMs = opts.busyWaitMs ?? 3_000;
    this.gameCacheMs = opts.gameCacheMs ?? 5_000;
    this.now = opts.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  async balance(provider: RgsProvider, cmd: BalanceCommand): Promise<Outcome> {
    if (!UUID.test(cmd.playerId)) return outcome("INVALID_PLAYER", "the user is no player id");
    let currency = cmd.currency;
    if (cmd.token !== null) {
      const session = await this.session(cmd.token);
      if (!session || session.providerId !== provider.id || session.playerId.toLowerCase() !== cmd.playerId.toLowerCase()) {
        return outcome("INVALID_TOKEN", "unknown token, or not this player's or provider's");
      }
      if (currency !== null && currency !== session.currency) return outcome("WRONG_CURRENCY", `the session plays in ${session.currency}`);
      currency = session.currency;
    }
    // Without a session (Hub88's /user/info) the provider's first currency stands in: the wallet
    // answers for any currency of an existing wallet.
    currency ??= provider.allowedCurrencies[0] ?? null;
    if (currency === null || !provider.allowedCurrencies.includes(currency)) return outcome("WRONG_CURRENCY", `${currency} is not configured for this provider`);
    try {
      const b = await this.opts.wallet.balance(cmd.playerId, currency);
      return { ...outcome("OK"), balance: BigInt(b.cash) + BigInt(b.bonus), currency };
    } catch (err) {
      const refused = fromWalletError(err);
      return outcome(refused.code, refused.detail);
    }
  }

  bet(provider: RgsProvider, cmd: BetCommand): Promise<Outcome> {
    return this.batch(provider, { ...cmd, steps: [cmd.bet] });
  }

  /** Bets and wins of one round, all or none; a bet is checked against the balance before the wins. */
  async batch(provider: RgsProvider, cmd: BatchCommand): Promise<Outcome> {
    // Stakes first: they are the refusable, reversible steps; wins follow the decision.
    const ordered = [...cmd.steps.filter((s) => s.kind === "BET"), ...cmd.steps.filter((s) => s.kind === "WIN")];
    const planned = ordered.map((s, seq) =>
      this.plan(provider, cmd, s.kind, s.txId, s.amount, s.kind === "BET" && s.free, cmd.currency, null, seq),
    );
    const hasBet = ordered.some((s) => s.kind === "BET");
    return this.execute(provider, planned, cmd.steps.map((s) => s.txId), { ...cmd, bet: hasBet });
  }

  async win(provider: RgsProvider, cmd: WinCommand): Promise<Outcome> {
    const planned = [this.plan(provider, cmd, "WIN", cmd.txId, cmd.amount, false, cmd.currency, cmd.betTxId, 0)];
    return this.execute(provider, planned, [cmd.txId], { ...cmd, bet: false });
  }

  async rollback(provider: RgsProvider, cmd: RollbackCommand): Promise<Outcome> {
    if (!UUID.test(cmd.playerId)) return outcome("INVALID_PLAYER", "the user is no player id");
    // The stake decides the currency when known; it must be settled first (it may be in flight).
    const stake = await this.settled(provider, cmd.betTxId);
    if (stake && (stake.kind !== "BET" || stake.playerId.toLowerCase() !== cmd.playerId.toLowerCase())) {
      return outcome("NOT_FOUND", "the referenced transaction is not a stake of this player");
    }
    let currency = cmd.currency ?? stake?.currency ?? null;
    if (currency === null && cmd.token !== null) currency = (await this.session(cmd.token))?.currency ?? null;
    // Neither the stake nor a session tells: the provider's first currency carries the tombstone
    // (the wallet refuses the late stake by its key, whatever the currency).
    currency ??= provider.allowedCurrencies[0] ?? null;
    if (currency === null) return outcome("WRONG_CURRENCY", "no currency is configured for this provider");
    const planned = [this.plan(provider, { ...cmd, currency }, "ROLLBACK", cmd.txId, 0n, false, null, cmd.betTxId, 0)];
    return this.execute(provider, planned, [cmd.txId], { ...cmd, currency: cmd.currency ?? currency, bet: false });
  }

  // ---------------------------------------------------------------------------------------------
  // Checks that write nothing

  private async game(providerId: string, code: string): Promise<GameRow | null> {
    const key = `${providerId}/${code}`;
    const hit = this.games.get(key);
    if (hit && Date.now() - hit.at < this.gameCacheMs) return hit.row;
    const row = await this.opts.store.game(providerId, code);
    this.games.set(key, { at: Date.now(), row });
    return row;
  }

  private async session(token: string): Promise<LaunchSessionView | null> {
    if (!isTokenShaped(token)) return null;
    const row = await this.opts.store.session(tokenHash(token));
    return row && sessionViewOf(row, this.now());
  }

  /** The checks of a request that need no session (the game is cached). */
  private async precheck(provider: RgsProvider, req: RequestCheck): Promise<Outcome | null> {
    if (!UUID.test(req.playerId)) return outcome("INVALID_PLAYER", "the user is no player id");
    if (!provider.allowedCurrencies.includes(req.currency)) return outcome("WRONG_CURRENCY", `${req.currency} is not configured for this provider`);
    const game = await this.game(provider.id, req.gameCode);
    const listed = provider.allowedGameCodes.length === 0 || provider.allowedGameCodes.includes(req.gameCode);
    // Wins and rollbacks of a game disabled since its bets must still land.
    if (!game || !listed || (req.bet && !game.enabled)) return outcome("INVALID_GAME", `game ${req.gameCode} is not available from this provider`);
    if (req.token === null) return req.bet ? outcome("INVALID_TOKEN", "a bet needs a launch token") : null;
    if (!isTokenShaped(req.token)) return outcome("INVALID_TOKEN", "unknown token, or not this player's or provider's");
    return null;
  }

  /** The session's checks; the store's SessionGate applies the same rules before it claims. */
  private checkSession(provider: RgsProvider, req: RequestCheck, session: LaunchSessionView | null): Outcome | null {
    if (!session || session.providerId !== provider.id || session.playerId.toLowerCase() !== req.playerId.toLowerCase()) {
      return outcome("INVALID_TOKEN", "unknown token, or not this player's or provider's");
    }
    if (req.bet) {
      if (session.mode !== "REAL") return outcome("INVALID_TOKEN", "a demo session cannot bet real money");
      if (session.gameCode !== req.gameCode) return outcome("INVALID_GAME", `the session was launched for ${session.gameCode}`);
      // Expiry is checked for bets only: wins and rollbacks land after the session ends (domain.md).
      if (session.expired) return outcome("TOKEN_EXPIRED", "the launch session has expired");
    }
    if (session.currency !== req.currency) return outcome("WRONG_CURRENCY", `the session plays in ${session.currency}`);
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Attempts

  private plan(
    provider: RgsProvider,
    ctx: { playerId: string; roundId: string; gameCode: string; currency: string },
    kind: TransactionKind,
    txId: string,
    amount: bigint,
    free: boolean,
    hashedCurrency: string | null,
    refTxId: string | null,
    seq: number,
  ): PlannedTransaction {
    // What makes "the same transaction": Hub88's duplicate rule (amount, currency, round, user,
    // game, reference) plus the kind. Rollbacks carry no currency in some protocols: not hashed.
    const requestHash = sha256(
      JSON.stringify([kind, ctx.playerId.toLowerCase(), hashedCurrency, amount.toString(), free, ctx.roundId, ctx.gameCode, refTxId]),
    );
    return {
      externalId: txId,
      seq,
      kind,
      requestHash,
      playerId: ctx.playerId.toLowerCase(),
      currency: ctx.currency,
      amountMinor: amount,
      free,
      roundId: ctx.roundId,
      gameCode: ctx.gameCode,
      refExternalId: refTxId,
      walletKey: walletKeyOf(provider.code, txId),
      refWalletKey: refTxId === null ? null : walletKeyOf(provider.code, refTxId),
    };
  }

  /** A transaction id's record once no attempt is working on it (waiting, or recovering it). */
  private async settled(provider: RgsProvider, txId: string): Promise<StoredTransaction | null> {
    const deadline = Date.now() + this.busyWaitMs;
    for (;;) {
      const [row] = await this.opts.store.find(provider.id, [txId]);
      if (!row || row.outcome !== null) return row ?? null;
      if (!row.leaseLive) await this.recover(provider, row.attemptId);
      else if (Date.now() > deadline) return row;
      else await sleep(20);
    }
  }

  private async execute(provider: RgsProvider, planned: PlannedTransaction[], requestOrder: readonly string[], req: RequestCheck): Promise<Outcome> {
    const ids = planned.map((p) => p.externalId);
    const deadline = Date.now() + this.busyWaitMs;
    // The common case, ids never seen, takes one statement before the wallet: it reads the session
    // and claims the ids when they are unknown and the session allows the request. A refusal is
    // only answered once the ids prove unknown: a replay gets its first answer whatever the state of
    // the session or game now.
    let refusal = await this.precheck(provider, req);
    if (!refusal) {
      const now = this.now();
      const attemptId = randomUUID();
      const owner = randomUUID();
      const fresh = await this.opts.store.claimFresh(attemptId, owner, provider.id, this.leaseMs, planned, {
        tokenHash: req.token === null ? null : tokenHash(req.token),
        playerId: req.playerId,
        bet: req.bet,
        currency: req.currency,
        gameCode: req.gameCode,
        now,
      });
      refusal = req.token === null ? null : this.checkSession(provider, req, fresh.session && sessionViewOf(fresh.session, now));
      if (!refusal && fresh.claimed.length === planned.length) return this.drive(provider, attemptId, owner, planned, "STARTED", null, false);
      // Another request recorded some of these ids meanwhile (or, never by design, the gate let
      // through what the check refuses): nothing of this attempt may stay.
      if (fresh.attempted) await this.opts.store.withdraw(attemptId, owner);
    }
    for (;;) {
      const existing = await this.opts.store.find(provider.id, ids);
      let unclaimed = planned;
      let replayed: StoredTransaction[] = [];
      if (existing.length > 0) {
        const byId = new Map(planned.map((p) => [p.externalId, p]));
        if (existing.some((e) => e.requestHash !== byId.get(e.externalId)?.requestHash)) {
          return outcome("DUPLICATE", "a transaction id was used before with different data");
        }
        const busy = existing.find((e) => e.outcome === null);
        if (busy) {
          if (!busy.leaseLive) await this.recover(provider, busy.attemptId);
          else if (Date.now() > deadline) return outcome("UNAVAILABLE", "the same transaction is being processed");
          else await sleep(20);
          continue;
        }
        if (existing.length === planned.length || existing.some((e) => e.outcome !== "OK")) return replayOf(requestOrder, existing);
        // Some ids of this batch were applied before (a batch partly retried): replay those, apply the rest.
        const seen = new Set(existing.map((e) => e.externalId));
        unclaimed = planned.filter((p) => !seen.has(p.externalId));
        replayed = existing;
      }

      if (refusal) return refusal;

      const attemptId = randomUUID();
      const owner = randomUUID();
      const claimed = await this.opts.store.claim(attemptId, owner, provider.id, this.leaseMs, unclaimed);
      if (claimed.length < unclaimed.length) {
        // Another request claimed some of these ids in between: look again.
        await this.opts.store.withdraw(attemptId, owner);
        continue;
      }
      const result = await this.drive(provider, attemptId, owner, unclaimed, "STARTED", null, false);
      if (replayed.length === 0 || result.code !== "OK") return result;
      const byId = new Map([...replayOf(requestOrder, replayed).steps, ...result.steps].map((s) => [s.txId, s]));
      return { ...result, steps: requestOrder.map((id) => byId.get(id)).filter((s): s is StepResult => s !== undefined) };
    }
  }

  /** Takes over an attempt whose worker is gone and brings it to its end. */
  private async recover(provider: RgsProvider, attemptId: string): Promise<void> {
    const owner = randomUUID();
    const taken = await this.opts.store.takeOver(attemptId, owner, this.leaseMs);
    if (!taken) return;
    const rows = await this.opts.store.attempt(attemptId);
    this.opts.log.warn({ provider: provider.code, attemptId, state: taken.state, transactions: rows.length }, "recovering an unfinished RGS attempt");
    await this.drive(provider, attemptId, owner, rows, taken.state, taken.refusal, true);
  }

  private async drive(
    provider: RgsProvider,
    attemptId: string,
    owner: string,
    rows: readonly PlannedTransaction[],
    state: "STARTED" | "APPLY" | "REFUSE" | "DONE",
    storedRefusal: OutcomeCode | null,
    recovered: boolean,
  ): Promise<Outcome> {
    const multi = rows.length > 1;
    const bets = rows.filter((r) => r.kind === "BET");
    const posted = new Map<string, string | null>();
    let balance: bigint | null = null;
    const unavailable = async (detail: string) => {
      await this.opts.store.release(attemptId, owner);
      return outcome("UNAVAILABLE", detail);
    };

    if (state === "DONE") return outcome("UNAVAILABLE", "the attempt ended meanwhile");

    if (state === "STARTED") {
      let refusal: { code: OutcomeCode; balance: bigint | null; detail: string } | null = null;
      // Stakes that may be in the wallet: after a crash, any of them.
      const mayHaveApplied = new Set<PlannedTransaction>(recovered ? bets : []);

      for (const bet of bets) {
        if (bet.free || bet.amountMinor === 0n) continue;
        const kind = await this.gameKind(provider, bet.gameCode);
        try {
          const check = await this.opts.compliance.stake({ playerId: bet.playerId, currency: bet.currency, amountMinor: bet.amountMinor, gameKind: kind });
          if (!check.allowed) {
            refusal = { code: "LIMIT_REACHED", balance: null, detail: `compliance: ${check.reasons.join(", ") || "refused"}` };
            break;
          }
        } catch (err) {
          // Fail closed. Nothing has reached the wallet in a fresh attempt: withdraw it, so a retry
          // is judged afresh once compliance answers again.
          if (!recovered) {
            await this.opts.store.withdraw(attemptId, owner);
            return outcome("UNAVAILABLE", `compliance: ${(err as Error).message}`);
          }
          return unavailable(`compliance: ${(err as Error).message}`);
        }
      }

      if (!refusal) {
        for (const row of rows) {
          // Batch wins name no stake and cannot be refused: they wait for the decision.
          if (row.kind === "WIN" && row.refWalletKey === null && multi) continue;
          const answer = await this.post(provider, row);
          if (row.kind === "BET" && (answer.ok || answer.transient)) mayHaveApplied.add(row);
          if (answer.ok) {
            posted.set(row.externalId, answer.walletTransactionId);
            balance = answer.balance;
          } else if (answer.transient) {
            return unavailable(answer.detail);
          } else {
            refusal = { code: answer.code, balance: answer.balance, detail: answer.detail };
            break;
          }
        }
      }

      if (refusal) {
        if (multi && !(await this.opts.store.decide(attemptId, owner, "REFUSE", refusal.code))) {
          return outcome("UNAVAILABLE", "the attempt was taken over");
        }
        if (!(await this.compensate(provider, [...mayHaveApplied]))) return unavailable("wallet: could not reverse the batch's stakes");
        const done = await this.opts.store.finish(attemptId, owner, refusal.code, refusal.balance, rows.map((r) => ({ externalId: r.externalId, walletTransactionId: null })));
        if (!done) return outcome("UNAVAILABLE", "the attempt was taken over");
        return outcome(refusal.code, refusal.detail, refusal.balance, rows[0]!.currency);
      }
      if (multi && !(await this.opts.store.decide(attemptId, owner, "APPLY", null))) return outcome("UNAVAILABLE", "the attempt was taken over");
      state = "APPLY";
    }

    if (state === "REFUSE") {
      if (!(await this.compensate(provider, bets))) return unavailable("wallet: could not reverse the batch's stakes");
      const code = storedRefusal ?? "UNAVAILABLE";
      await this.opts.store.finish(attemptId, owner, code, null, rows.map((r) => ({ externalId: r.externalId, walletTransactionId: null })));
      return outcome(code);
    }

    // APPLY: every step goes through (recovery re-posts the stakes, which the wallet replays).
    for (const row of rows) {
      if (posted.has(row.externalId)) continue;
      const answer = await this.post(provider, row);
      if (!answer.ok) {
        this.opts.log.error({ provider: provider.code, attemptId, txId: row.externalId, detail: answer.detail }, "a decided RGS batch step did not go through; it will be retried");
        return unavailable(answer.detail);
      }
      posted.set(row.externalId, answer.walletTransactionId);
      balance = answer.balance;
    }
    const processed = await this.opts.store.finish(
      attemptId,
      owner,
      "OK",
      balance,
      rows.map((r) => ({ externalId: r.externalId, walletTransactionId: posted.get(r.externalId) ?? null })),
    );
    if (!processed) return outcome("UNAVAILABLE", "the attempt was taken over");
    const steps: StepResult[] = rows.map((r) => ({
      txId: r.externalId,
      walletTransactionId: posted.get(r.externalId) ?? null,
      processedAt: processed.get(r.externalId) ?? new Date(),
    }));
    return { code: "OK", balance, currency: rows[0]!.currency, replayed: false, steps };
  }

  private async gameKind(provider: RgsProvider, code: string): Promise<GameKind> {
    const game = await this.game(provider.id, code);
    return gameKindOf(game?.type ?? "OTHER");
  }

  private async post(provider: RgsProvider, row: PlannedTransaction): Promise<WalletAnswer> {
    const base = {
      playerId: row.playerId,
      currency: row.currency,
      idempotencyKey: row.walletKey,
      counterRef: provider.code,
      reference: { provider: provider.code, roundId: row.roundId, gameCode: row.gameCode, providerTransactionId: row.externalId },
    };
    let command: WalletCommand;
    switch (row.kind) {
      case "BET":
        command = { ...base, type: "STAKE", amount: (row.free ? 0n : row.amountMinor).toString() };
        break;
      case "WIN":
        command = { ...base, type: "WIN", amount: row.amountMinor.toString(), refKey: row.refWalletKey };
        break;
      case "ROLLBACK":
        command = { ...base, type: "ROLLBACK", amount: "0", refKey: row.refWalletKey };
        break;
      default: {
        const never: never = row.kind;
        throw new Error(`unknown transaction kind ${String(never)}`);
      }
    }
    try {
      const result = await this.opts.wallet.post(command);
      return { ok: true, walletTransactionId: result.id, balance: BigInt(result.cashBalance) + BigInt(result.bonusBalance) };
    } catch (err) {
      const refused = fromWalletError(err);
      if (refused.transient || row.refExternalId === null) return refused;
      if (row.kind === "ROLLBACK" && refused.code === "ROLLED_BACK") {
        // Already reversed: by our own reversal of a refused batch, the stake never counted, so
        // rolling it back is done; by another rollback id, it stays a refusal.
        const [stake] = await this.opts.store.find(provider.id, [row.refExternalId]);
        if (stake && stake.outcome !== null && stake.outcome !== "OK") {
          return { ok: true, walletTransactionId: null, balance: refused.balance ?? 0n };
        }
      }
      if (row.kind === "WIN" && refused.code === "NOT_FOUND" && (await this.opts.store.appliedRollbackOf(provider.id, row.refExternalId))) {
        // The stake never reached the wallet because its rollback came first: refused the same way.
        return { ...refused, code: "ROLLED_BACK" };
      }
      return refused;
    }
  }

  /** Reverses stakes of a refused batch, each once (the key makes a repeat a replay). */
  private async compensate(provider: RgsProvider, stakes: readonly PlannedTransaction[]): Promise<boolean> {
    for (const stake of stakes) {
      try {
        await this.opts.wallet.post({
          type: "ROLLBACK",
          playerId: stake.playerId,
          currency: stake.currency,
          amount: "0",
          idempotencyKey: undoKeyOf(stake.walletKey),
          refKey: stake.walletKey,
          counterRef: provider.code,
          reference: { provider: provider.code, roundId: stake.roundId, gameCode: stake.gameCode, providerTransactionId: stake.externalId, reason: "batch refused" },
        });
      } catch (err) {
        const refused = fromWalletError(err);
        // Reversed already (by the provider's own rollback): nothing left to undo.
        if (!refused.transient && (refused.code === "ROLLED_BACK" || refused.code === "NOT_FOUND")) continue;
        this.opts.log.warn({ provider: provider.code, txId: stake.externalId, detail: refused.detail }, "could not reverse a stake of a refused batch yet");
        return false;
      }
    }
    return true;
  }
}
