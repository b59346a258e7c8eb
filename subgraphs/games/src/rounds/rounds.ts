import { createHash, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { GameKind, PlayAnswer, StakeAnswer } from "@casino/compliance-client";
import { ComplianceUnavailableError } from "@casino/compliance-client";
import { appError, badInput, notFound } from "@casino/kernel/errors";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import { isUniqueViolation } from "@casino/kernel/db/errors";
import { outboxRow, type OutboxRowData } from "@casino/kernel/events/outbox";
import { toGraphQLMoney } from "@casino/kernel/money";
import type { Logger } from "@casino/kernel/logger";
import { WalletApiError, type WalletCommand, type WalletTransactionResult } from "@casino/wallet-client";
import { GraphQLError } from "graphql";
import type { GameRound, GameType, LaunchSession, Prisma, PrismaClient } from "../generated/prisma/client.ts";
import { coveredNumbers, settleRouletteBets, spinWheel, type RouletteBet } from "../proprietary/roulette/european-roulette.ts";
import { fiveCrowns, playPaidSpin, totalStakeMinor, winMinor } from "../proprietary/slot/index.ts";
import { RecordingRng, type RecordedDraw } from "../rng/recording-rng.ts";
import type { Rng } from "../rng/rng.ts";

/** The wallet and compliance as the rounds use them (the real clients, or fakes in unit tests). */
export interface WalletPort {
  post(command: WalletCommand): Promise<WalletTransactionResult>;
}
export interface CompliancePort {
  play(input: { playerId: string; gameKind: GameKind }): Promise<PlayAnswer>;
  stake(input: { playerId: string; currency: string; amountMinor: bigint; gameKind: GameKind }): Promise<StakeAnswer>;
}

/** An Rng that also hands back what it drew, so every draw is stored with its round. */
export interface DrawRecorder extends Rng {
  readonly draws: readonly RecordedDraw[];
}

export interface RoundDeps {
  prisma: PrismaClient;
  /** The games database's raw pool: a round's writes are one statement each (see openReal, settle). */
  sql: SqlExecutor;
  wallet: WalletPort | undefined;
  compliance: CompliancePort | undefined;
  publishOutbox: () => void;
  log: Logger;
  now?: () => Date;
  /** One per round; tests inject scripted draws. */
  rng?: () => DrawRecorder;
  recoverAfterSeconds?: number;
  /**
   * PostgreSQL: how long the transaction that opens a round may wait for compliance's answer. Past
   * it the opening is rolled back and redone after the answer, so a slow or absent compliance never
   * holds database connections for its whole timeout. Default 50.
   */
  holdForComplianceMs?: number;
  /**
   * Observes, in seconds, how long a round waited for compliance's answer after everything else it
   * could do first was done (what the check adds to a bet), and the check's whole round trip.
   */
  timing?: { complianceWait(seconds: number): void; complianceCheck(seconds: number): void };
}

/** The proprietary games this service runs itself, by catalogue code. */
export const PROPRIETARY_GAMES = { "five-crowns": "slot", "european-roulette": "roulette" } as const;
type ProprietaryKind = (typeof PROPRIETARY_GAMES)[keyof typeof PROPRIETARY_GAMES];

export function gameKindOf(type: GameType): GameKind {
  switch (type) {
    case "SLOT":
      return "SLOT";
    case "ROULETTE":
    case "TABLE":
      return "TABLE";
    case "LIVE":
      return "LIVE";
    default:
      return "OTHER";
  }
}

export type RoundPhase = "OPENED" | "OUTCOME" | "SETTLED" | "CANCELLED";

/** The live message of gameStateChanged; money as GraphQL Money so the gateway can serve it as is. */
export interface GameStateMessage {
  playerId: string;
  sessionId: string;
  roundId: string;
  phase: RoundPhase;
  status: GameRound["status"];
  stake: { amount: string; currency: string };
  win: { amount: string; currency: string };
}

export const stakeKey = (roundId: string) => `games:round:${roundId}:stake`;
export const winKey = (roundId: string) => `games:round:${roundId}:win`;
export const voidKey = (roundId: string) => `games:round:${roundId}:void`;

const IDEMPOTENCY_KEY = /^[A-Za-z0-9:_-]{8,128}$/;

/** Inserts outbox rows given as a JSON array of OutboxRowData (a parameter), inside a statement. */
const OUTBOX_INSERT = (param: string) =>
  `INSERT INTO outbox_event (id, type, aggregate_id, player_id, payload, live_topic)
   SELECT e.id, e.type, e."aggregateId", e."playerId", e.payload, e."liveTopic"
     FROM jsonb_to_recordset(${param}::jsonb) AS e(id uuid, type text, "aggregateId" text, "playerId" text, payload jsonb, "liveTopic" text)`;

interface PlayRequest {
  playerId: string;
  sessionId: string;
  idempotencyKey: string;
  kind: ProprietaryKind;
  currency: string;
  stakeMinor: bigint;
  /** What the player asked for, stored with the round and hashed for idempotency. */
  bet: Record<string, unknown>;
  /** Draws the outcome: the win in minor units and the outcome document (without draws). */
  draw: (rng: Rng) => { winMinor: bigint; outcome: Record<string, unknown>; gameVersion: string };
}

/** The answer did not come within the opening transaction's hold; thrown to roll it back. */
class AnswerLate extends Error {
  constructor(readonly waitStarted: number) {
    super("compliance's answer came later than the opening transaction may wait");
  }
}

const LATE = Symbol("late");

/** The promise's value, or LATE if it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

type OpenedRow = { opened: string | number | bigint; previous: Date | string | null };

type SessionWithGame = LaunchSession & { game: { id: string; code: string; type: GameType; enabled: boolean; minStakeMinor: bigint; maxStakeMinor: bigint; stakeCurrency: string; provider: { code: string; enabled: boolean; integration: string } } };

const json = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Prisma.InputJsonValue;

/**
 * Rounds of the proprietary games: a state machine (OPEN -> SETTLED | CANCELLED) whose money moves
 * through the wallet with idempotency keys derived from the round id.
 *
 *   1. checks that need no writes: the session is the player's and live, the stake is in the game's
 *      range, compliance allows this stake now (asked on every round: a self-exclusion stops the very
 *      next one), and a replayed idempotency key returns its round;
 *   2. one transaction: the per-player cycle gate (RTS 14 minimum game cycle, across all sessions),
 *      the outcome drawn from the CSPRNG with every draw recorded, the round inserted OPEN;
 *   3. the wallet debits the stake (a refusal cancels the round: no money moved, nothing left open);
 *   4. the wallet credits the win, referencing the stake;
 *   5. one transaction: the round SETTLED, the session's totals, the events.
 *
 * A crash between 2 and 5 leaves an OPEN round; `recover` resolves it: a stake the wallet never
 * confirmed to us is voided (ROLLBACK by the stake's key, which also bars a late arrival of it), a
 * confirmed stake gets its win credited and the round settled.
 */
export class RoundService {
  private readonly now: () => Date;
  private readonly rng: () => DrawRecorder;
  private readonly recoverAfterMs: number;

  constructor(private readonly deps: RoundDeps) {
    this.now = deps.now ?? (() => new Date());
    this.rng = deps.rng ?? (() => new RecordingRng());
    this.recoverAfterMs = (deps.recoverAfterSeconds ?? 30) * 1000;
  }

  async spinSlot(playerId: string, input: { sessionId: string; lineBetMinor: bigint; currency: string; idempotencyKey: string }): Promise<GameRound> {
    if (input.lineBetMinor <= 0n) throw badInput("the line bet must be positive", "lineBet");
    const stakeMinor = totalStakeMinor(fiveCrowns, input.lineBetMinor);
    return this.play({
      playerId,
      sessionId: input.sessionId,
      idempotencyKey: input.idempotencyKey,
      kind: "slot",
      currency: input.currency,
      stakeMinor,
      bet: { lineBetMinor: input.lineBetMinor.toString(), paylines: fiveCrowns.lineCount, stakeMinor: stakeMinor.toString() },
      draw: (rng) => {
        const spin = playPaidSpin(fiveCrowns, rng);
        return {
          winMinor: winMinor(spin.totalWin, input.lineBetMinor),
          gameVersion: `${spin.version.gameId}@${spin.version.version}#${spin.version.paytableHash}`,
          outcome: { base: spin.base, freeSpins: spin.freeSpins, totalWinLineBets: spin.totalWin },
        };
      },
    });
  }

  async playRoulette(playerId: string, input: { sessionId: string; bets: RouletteBet[]; currency: string; idempotencyKey: string }): Promise<GameRound> {
    if (input.bets.length === 0) throw badInput("place at least one bet", "bets");
    if (input.bets.length > 100) throw badInput("at most 100 bets per spin", "bets");
    input.bets.forEach((bet, i) => {
      if (bet.stakeMinor <= 0n) throw badInput(`bet ${i + 1}: the stake must be positive`, `bets.${i}.stake`);
      coveredNumbers(bet); // throws BAD_USER_INPUT for a bet the layout does not have
    });
    const stakeMinor = input.bets.reduce((sum, bet) => sum + bet.stakeMinor, 0n);
    return this.play({
      playerId,
      sessionId: input.sessionId,
      idempotencyKey: input.idempotencyKey,
      kind: "roulette",
      currency: input.currency,
      stakeMinor,
      bet: { bets: input.bets, stakeMinor: stakeMinor.toString() },
      draw: (rng) => {
        const settlement = settleRouletteBets(input.bets, spinWheel(rng));
        return {
          winMinor: settlement.totalReturnMinor,
          gameVersion: `${settlement.gameId}@${settlement.version}`,
          outcome: { winningNumber: settlement.winningNumber, bets: settlement.bets },
        };
      },
    });
  }

  private async play(req: PlayRequest): Promise<GameRound> {
    if (!IDEMPOTENCY_KEY.test(req.idempotencyKey)) throw badInput("idempotencyKey must be 8-128 characters of A-Z a-z 0-9 : _ -", "idempotencyKey");
    // Compliance is asked first and answers while this round reads its session, looks for a replay,
    // draws its outcome and (on PostgreSQL) writes its opening in a transaction, so the check adds to
    // the bet only what it takes beyond all of that. The answer is used only after every other check
    // has passed, and nothing is committed before it: a refusal rolls the opening back.
    const compliance = this.askStake(req.playerId, req.currency, req.stakeMinor, req.kind === "slot" ? "SLOT" : "TABLE");
    const session = await this.liveSession(req.playerId, req.sessionId, req.kind);
    if (req.currency !== session.currency) throw badInput(`this session plays in ${session.currency}`, "currency");
    const requestHash = createHash("sha256").update(JSON.stringify(json({ sessionId: req.sessionId, kind: req.kind, bet: req.bet }))).digest("hex");

    const replay = await this.deps.prisma.gameRound.findUnique({ where: { playerId_clientKey: { playerId: req.playerId, clientKey: req.idempotencyKey } } });
    if (replay) return this.replayed(replay, requestHash);

    const game = session.game;
    if (req.stakeMinor < game.minStakeMinor || req.stakeMinor > game.maxStakeMinor) {
      throw badInput(`the stake must be between ${game.minStakeMinor} and ${game.maxStakeMinor} minor units of ${game.stakeCurrency}`, req.kind === "slot" ? "lineBet" : "bets");
    }
    // The session's game cycle came from the catalogue's game type: a proprietary game catalogued as
    // another kind could run under another kind's RTS 14 figures, so it is not played at all.
    if (gameKindOf(game.type) !== (req.kind === "slot" ? "SLOT" : "TABLE")) {
      throw appError("GAME_NOT_AVAILABLE", `${game.code} is catalogued as ${game.type}, which is not how this game is played`, { gameId: game.id });
    }
    const recorder = this.rng();
    const drawn = req.draw(recorder);
    const roundId = randomUUID();
    const openedAt = this.now();
    const outcome = json({ ...drawn.outcome, draws: recorder.draws });
    const demo = session.mode === "DEMO";

    const round: GameRound = {
      id: roundId,
      sessionId: session.id,
      playerId: req.playerId,
      gameId: game.id,
      mode: session.mode,
      clientKey: req.idempotencyKey,
      requestHash,
      status: demo ? "SETTLED" : "OPEN",
      currency: session.currency,
      stakeMinor: req.stakeMinor,
      winMinor: drawn.winMinor,
      bet: json(req.bet) as Prisma.JsonValue,
      outcome: outcome as Prisma.JsonValue,
      gameVersion: drawn.gameVersion,
      stakeTxId: null,
      winTxId: null,
      cancelReason: null,
      openedAt,
      settledAt: demo ? openedAt : null,
    };
    let previousCycleAt: Date | null;
    try {
      if (demo) {
        await this.awaitStake(compliance);
        previousCycleAt = await this.openDemo(round, session);
      } else {
        previousCycleAt = await this.openReal(round, session.minimumGameCycleMs, compliance);
      }
    } catch (err) {
      // The same key sent twice at once: the other request inserted it first, or took the game
      // cycle first (then this one never got to insert). Either way the stored round is the answer.
      const cycleTaken = err instanceof GraphQLError && err.extensions.code === "GAME_CYCLE_TOO_SOON";
      if (isUniqueViolation(err) || cycleTaken) {
        const existing = await this.deps.prisma.gameRound.findUnique({ where: { playerId_clientKey: { playerId: req.playerId, clientKey: req.idempotencyKey } } });
        if (existing) return this.replayed(existing, requestHash);
      }
      throw err;
    }
    this.deps.publishOutbox();
    if (demo) return round;
    return this.settleReal(round, session, previousCycleAt);
  }

  /**
   * Opens a REAL round once compliance allows the stake. Returns when the previous cycle started;
   * throws compliance's refusal (before anything else), GAME_CYCLE_TOO_SOON, or the unique
   * violation of a replay.
   *
   * On PostgreSQL the opening statement runs in a transaction while the answer is on its way, and
   * commits only after an allowing answer (a refusal rolls it back, so nothing of a refused bet is
   * ever visible): the check then adds to the bet only what it takes beyond this write. The
   * transaction waits at most `holdForComplianceMs`; a later answer finds it rolled back and the
   * round opened afresh after it, so a slow compliance never ties up the connection pool. PGlite is
   * one connection for the whole service, which a transaction would hold while compliance answers,
   * so there the answer comes first and the statement runs after it.
   */
  private async openReal(round: GameRound, minimumMs: number, compliance: Promise<StakeAnswer | GraphQLError>): Promise<Date | null> {
    let row: OpenedRow | undefined;
    if (this.deps.sql.dialect === "postgres") {
      const holdMs = this.deps.holdForComplianceMs ?? 50;
      row = await this.deps.sql
        .transaction(async (tx) => {
          let opened: OpenedRow;
          try {
            opened = await this.openStatement(tx, round, minimumMs);
          } catch (err) {
            await this.awaitStake(compliance); // a refusal is the answer, whatever else went wrong
            throw err;
          }
          const waitStarted = performance.now();
          const answer = await within(compliance, holdMs);
          if (answer === LATE) throw new AnswerLate(waitStarted);
          this.judgeStake(answer, waitStarted);
          return opened;
        })
        .catch(async (err: unknown) => {
          if (!(err instanceof AnswerLate)) throw err;
          // Rolled back: wait without a connection, then open the round as PGlite does.
          await this.awaitStake(compliance, err.waitStarted);
          return undefined;
        });
    } else {
      await this.awaitStake(compliance);
    }
    row ??= await this.openStatement(this.deps.sql, round, minimumMs);
    if (Number(row.opened) === 1) return row.previous === null ? null : new Date(row.previous);
    throw await this.tooSoon(round.playerId, round.openedAt, minimumMs);
  }

  /**
   * One statement (one round trip, atomic): claims the player's game cycle, inserts the round OPEN
   * only if the cycle was claimed, and writes its OPENED event.
   */
  private async openStatement(sql: SqlExecutor, round: GameRound, minimumMs: number): Promise<OpenedRow> {
    const [row] = await sql.query<OpenedRow>(
      `WITH old AS (SELECT last_cycle_at FROM player_cycle WHERE player_id = $1::uuid),
       cycle AS (
         INSERT INTO player_cycle (player_id, last_cycle_at) VALUES ($1::uuid, $2::timestamptz)
         ON CONFLICT (player_id) DO UPDATE SET last_cycle_at = EXCLUDED.last_cycle_at
          WHERE player_cycle.last_cycle_at <= EXCLUDED.last_cycle_at - ($3::int * interval '1 millisecond')
         RETURNING 1),
       opened AS (
         INSERT INTO game_round (id, session_id, player_id, game_id, mode, client_key, request_hash, status, currency,
                                 stake_minor, win_minor, bet, outcome, game_version, opened_at)
         SELECT $4::uuid, $5::uuid, $1::uuid, $6::uuid, 'REAL'::"LaunchMode", $7, $8, 'OPEN'::"RoundStatus", $9::char(3),
                $10::bigint, $11::bigint, $12::jsonb, $13::jsonb, $14, $2::timestamptz
          WHERE EXISTS (SELECT 1 FROM cycle)
         RETURNING 1),
       events AS (${OUTBOX_INSERT("$15")} WHERE EXISTS (SELECT 1 FROM opened))
       SELECT (SELECT count(*) FROM opened) AS opened, (SELECT last_cycle_at FROM old) AS previous`,
      [
        round.playerId,
        round.openedAt.toISOString(),
        minimumMs,
        round.id,
        round.sessionId,
        round.gameId,
        round.clientKey,
        round.requestHash,
        round.currency,
        round.stakeMinor.toString(),
        round.winMinor.toString(),
        JSON.stringify(round.bet),
        JSON.stringify(round.outcome),
        round.gameVersion,
        JSON.stringify(this.eventRows(round, ["OPENED"])),
      ],
      { name: "games_round_open" },
    );
    return row!;
  }

  /** A DEMO round is settled at once with play money, in one transaction. */
  private async openDemo(round: GameRound, session: SessionWithGame): Promise<Date | null> {
    return this.deps.prisma.$transaction(async (tx) => {
      const previous = await this.takeCycle(tx, round.playerId, round.openedAt, session.minimumGameCycleMs);
      const paid = await tx.$executeRaw`UPDATE launch_session SET demo_balance_minor = demo_balance_minor - ${round.stakeMinor} + ${round.winMinor},
               staked_minor = staked_minor + ${round.stakeMinor}, won_minor = won_minor + ${round.winMinor}, round_count = round_count + 1
         WHERE id = ${session.id}::uuid AND demo_balance_minor >= ${round.stakeMinor}`;
      if (paid !== 1) throw appError("INSUFFICIENT_FUNDS", "Not enough play money left in this demo session");
      await tx.gameRound.create({ data: { ...round, bet: round.bet as Prisma.InputJsonValue, outcome: round.outcome as Prisma.InputJsonValue } });
      await tx.outboxEvent.createMany({ data: this.eventRows(round, ["OUTCOME", "SETTLED"]) });
      return previous;
    });
  }

  private async settleReal(round: GameRound, session: SessionWithGame, previousCycleAt: Date | null): Promise<GameRound> {
    const wallet = this.requireWallet();
    const reference = { roundId: round.id, sessionId: session.id, gameId: round.gameId, gameCode: session.game.code };
    let stake: WalletTransactionResult;
    try {
      stake = await wallet.post({
        type: "STAKE",
        playerId: round.playerId,
        currency: round.currency,
        amount: round.stakeMinor.toString(),
        idempotencyKey: stakeKey(round.id),
        counterRef: session.game.provider.code,
        reference,
      });
    } catch (err) {
      if (err instanceof WalletApiError && err.status < 500) {
        await this.cancel(round, err.code, { restoreCycleTo: previousCycleAt });
        throw walletRefusal(err);
      }
      this.deps.log.warn({ err, roundId: round.id }, "wallet did not answer the stake; the round stays open for recovery");
      throw appError("SERVICE_UNAVAILABLE", `The wallet did not answer; round ${round.id} will be resolved automatically`, { roundId: round.id });
    }
    let winTxId: string | null = null;
    if (round.winMinor > 0n) {
      // Recorded first, so that recovery completes this round instead of voiding its stake.
      await this.deps.prisma.gameRound.update({ where: { id: round.id }, data: { stakeTxId: stake.id } });
      try {
        winTxId = (await this.postWin(round, session.game.provider.code, reference)).id;
      } catch (err) {
        this.deps.log.warn({ err, roundId: round.id }, "wallet did not credit the win; the round stays open for recovery");
        throw appError("SERVICE_UNAVAILABLE", `The wallet did not answer; the win of round ${round.id} will be credited automatically`, { roundId: round.id });
      }
    }
    return this.settle(round, stake.id, winTxId);
  }

  private postWin(round: GameRound, providerCode: string, reference: Record<string, unknown>): Promise<WalletTransactionResult> {
    return this.requireWallet().post({
      type: "WIN",
      playerId: round.playerId,
      currency: round.currency,
      amount: round.winMinor.toString(),
      idempotencyKey: winKey(round.id),
      refKey: stakeKey(round.id),
      counterRef: providerCode,
      reference,
    });
  }

  /** Settles an OPEN round in one statement: the round, its session's totals and its events. */
  private async settle(round: GameRound, stakeTxId: string, winTxId: string | null): Promise<GameRound> {
    const settled: GameRound = { ...round, status: "SETTLED", stakeTxId, winTxId, settledAt: this.now() };
    const [row] = await this.deps.sql.query<{ settled: string | number | bigint }>(
      `WITH r AS (
         UPDATE game_round SET status = 'SETTLED'::"RoundStatus", stake_tx_id = $2::uuid, win_tx_id = $3::uuid, settled_at = $4::timestamptz
          WHERE id = $1::uuid AND status = 'OPEN'::"RoundStatus"
         RETURNING session_id, stake_minor, win_minor),
       s AS (
         UPDATE launch_session ls SET staked_minor = ls.staked_minor + r.stake_minor, won_minor = ls.won_minor + r.win_minor,
                round_count = ls.round_count + 1
           FROM r WHERE ls.id = r.session_id
         RETURNING 1),
       events AS (${OUTBOX_INSERT("$5")} WHERE EXISTS (SELECT 1 FROM r))
       SELECT (SELECT count(*) FROM r) AS settled`,
      [round.id, stakeTxId, winTxId, settled.settledAt!.toISOString(), JSON.stringify(this.eventRows(settled, ["OUTCOME", "SETTLED"]))],
    );
    if (Number(row!.settled) !== 1) {
      // Settled or cancelled meanwhile (a recovery sweep): the stored round is the answer.
      return this.deps.prisma.gameRound.findUniqueOrThrow({ where: { id: round.id } });
    }
    this.deps.publishOutbox();
    return settled;
  }

  private async cancel(round: GameRound, reason: string, opts: { restoreCycleTo?: Date | null } = {}): Promise<void> {
    await this.deps.prisma.$transaction(async (tx) => {
      const changed = await tx.gameRound.updateMany({ where: { id: round.id, status: "OPEN" }, data: { status: "CANCELLED", cancelReason: reason } });
      if (changed.count !== 1) return;
      // A round that moved no money does not use up the player's game cycle.
      if (opts.restoreCycleTo !== undefined) {
        if (opts.restoreCycleTo === null) await tx.$executeRaw`DELETE FROM player_cycle WHERE player_id = ${round.playerId}::uuid AND last_cycle_at = ${round.openedAt}`;
        else await tx.$executeRaw`UPDATE player_cycle SET last_cycle_at = ${opts.restoreCycleTo} WHERE player_id = ${round.playerId}::uuid AND last_cycle_at = ${round.openedAt}`;
      }
      await this.events(tx, { ...round, status: "CANCELLED", cancelReason: reason }, ["CANCELLED"]);
    });
    this.deps.publishOutbox();
  }

  /**
   * Resolves REAL rounds left OPEN for longer than the recovery delay (a crash, a wallet outage).
   * Safe to run from several processes at once: every wallet command is idempotent by the round's
   * keys and every state change is conditional on the round still being OPEN.
   */
  async recover(): Promise<{ settled: number; cancelled: number; failed: number }> {
    const before = new Date(this.now().getTime() - this.recoverAfterMs);
    const open = await this.deps.prisma.gameRound.findMany({
      where: { status: "OPEN", mode: "REAL", openedAt: { lt: before } },
      orderBy: { openedAt: "asc" },
      take: 500,
      include: { session: { select: { game: { select: { code: true, provider: { select: { code: true } } } } } } },
    });
    const result = { settled: 0, cancelled: 0, failed: 0 };
    for (const round of open) {
      const providerCode = round.session.game.provider.code;
      // Exactly the reference of the first attempt: it is part of the wallet's request hash.
      const reference = { roundId: round.id, sessionId: round.sessionId, gameId: round.gameId, gameCode: round.session.game.code };
      try {
        if (round.stakeTxId === null) {
          await this.requireWallet().post({
            type: "ROLLBACK",
            playerId: round.playerId,
            currency: round.currency,
            amount: "0",
            idempotencyKey: voidKey(round.id),
            refKey: stakeKey(round.id),
            counterRef: providerCode,
            reference,
          });
          await this.cancel(round, "RECOVERED_STAKE_VOIDED");
          result.cancelled++;
        } else {
          const win = round.winMinor > 0n ? await this.postWin(round, providerCode, reference) : null;
          await this.settle(round, round.stakeTxId, win?.id ?? null);
          result.settled++;
        }
      } catch (err) {
        if (err instanceof WalletApiError && err.code === "TRANSACTION_ROLLED_BACK" && round.stakeTxId === null) {
          // Voided by an earlier attempt whose answer was lost.
          await this.cancel(round, "RECOVERED_STAKE_VOIDED");
          result.cancelled++;
          continue;
        }
        result.failed++;
        this.deps.log.warn({ err, roundId: round.id }, "round recovery failed; retried on the next sweep");
      }
    }
    if (open.length > 0) this.deps.log.info({ ...result }, "open rounds recovered");
    return result;
  }

  /** The player's session for a round of `kind`, refusing what may not be played. */
  private async liveSession(playerId: string, sessionId: string, kind: ProprietaryKind): Promise<SessionWithGame> {
    const session = await this.deps.prisma.launchSession.findUnique({
      where: { id: sessionId },
      include: { game: { select: { id: true, code: true, type: true, enabled: true, minStakeMinor: true, maxStakeMinor: true, stakeCurrency: true, provider: { select: { code: true, enabled: true, integration: true } } } } },
    });
    if (!session || session.playerId !== playerId) throw notFound("Game session");
    if (session.endedAt || session.expiresAt.getTime() <= this.now().getTime()) throw appError("SESSION_EXPIRED", "This game session has ended; launch the game again", { sessionId });
    const game = session.game;
    if (game.provider.integration !== "PROPRIETARY" || PROPRIETARY_GAMES[game.code as keyof typeof PROPRIETARY_GAMES] !== kind) {
      throw badInput(`this session's game (${game.code}) is not played with ${kind === "slot" ? "spinSlot" : "playRoulette"}`, "sessionId");
    }
    if (!game.enabled || !game.provider.enabled) throw appError("GAME_NOT_AVAILABLE", "This game has been taken out of the lobby", { gameId: game.id });
    return session;
  }

  /** Starts compliance's stake check; the promise never rejects (an outage is an answer too). */
  private askStake(playerId: string, currency: string, amountMinor: bigint, gameKind: GameKind): Promise<StakeAnswer | GraphQLError> {
    const compliance = this.deps.compliance;
    if (!compliance) return Promise.resolve(appError("SERVICE_UNAVAILABLE", "Compliance is not configured for this games service (COMPLIANCE_URL)"));
    const started = performance.now();
    return compliance.stake({ playerId, currency, amountMinor, gameKind }).then(
      (answer) => {
        this.deps.timing?.complianceCheck((performance.now() - started) / 1000);
        return answer;
      },
      (err: unknown) => {
        if (err instanceof ComplianceUnavailableError) return appError("SERVICE_UNAVAILABLE", "Compliance could not confirm that you may play now; try again shortly");
        this.deps.log.error({ err }, "compliance stake check failed");
        return appError("SERVICE_UNAVAILABLE", "Compliance could not confirm that you may play now; try again shortly");
      },
    );
  }

  /** Waits for compliance's stake answer (timed: this wait is what the check adds to the bet) and judges it. */
  private async awaitStake(compliance: Promise<StakeAnswer | GraphQLError>, waitStarted = performance.now()): Promise<void> {
    this.judgeStake(await compliance, waitStarted);
  }

  private judgeStake(answer: StakeAnswer | GraphQLError, waitStarted: number): void {
    this.deps.timing?.complianceWait((performance.now() - waitStarted) / 1000);
    if (answer instanceof GraphQLError) throw answer;
    if (answer.allowed) return;
    if (answer.reasons.length === 1 && answer.reasons[0] === "STAKE_LIMIT") {
      throw appError("STAKE_LIMIT_EXCEEDED", `The stake exceeds your limit of ${answer.maxStake ?? 0n} minor units per game cycle`, { maxStakeMinor: String(answer.maxStake ?? 0n), reasons: answer.reasons });
    }
    throw appError("PLAY_NOT_ALLOWED", `You may not play now (${answer.reasons.join(", ")})`, { reasons: answer.reasons });
  }

  /**
   * RTS 14 minimum game cycle, per player across all sessions: one statement that claims the cycle
   * only when the previous one started at least `minimumMs` ago. Returns when the previous cycle
   * started (null for the first), so that a round that moves no money can give the cycle back.
   */
  private async takeCycle(tx: Prisma.TransactionClient, playerId: string, at: Date, minimumMs: number): Promise<Date | null> {
    const rows = await tx.$queryRaw<Array<{ previous: Date | null }>>`
      WITH old AS (SELECT last_cycle_at FROM player_cycle WHERE player_id = ${playerId}::uuid)
      INSERT INTO player_cycle (player_id, last_cycle_at) VALUES (${playerId}::uuid, ${at})
      ON CONFLICT (player_id) DO UPDATE SET last_cycle_at = EXCLUDED.last_cycle_at
       WHERE player_cycle.last_cycle_at <= EXCLUDED.last_cycle_at - (${minimumMs}::int * interval '1 millisecond')
      RETURNING (SELECT last_cycle_at FROM old) AS previous`;
    if (rows.length === 1) return rows[0]!.previous;
    throw await this.tooSoon(playerId, at, minimumMs);
  }

  private async tooSoon(playerId: string, at: Date, minimumMs: number): Promise<GraphQLError> {
    const [current] = await this.deps.sql.query<{ last_cycle_at: Date | string }>(`SELECT last_cycle_at FROM player_cycle WHERE player_id = $1::uuid`, [playerId]);
    const last = current ? new Date(current.last_cycle_at).getTime() : at.getTime();
    const retryAfterMs = Math.max(1, last + minimumMs - at.getTime());
    return appError("GAME_CYCLE_TOO_SOON", `A game cycle lasts at least ${minimumMs} ms (RTS 14); try again in ${retryAfterMs} ms`, { retryAfterMs, minimumGameCycleMs: minimumMs });
  }

  private replayed(round: GameRound, requestHash: string): GameRound {
    if (round.requestHash !== requestHash) throw appError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for a different play", { roundId: round.id });
    return round;
  }

  private async events(tx: Prisma.TransactionClient, round: GameRound, phases: RoundPhase[]): Promise<void> {
    await tx.outboxEvent.createMany({ data: this.eventRows(round, phases) });
  }

  /** The outbox rows of a round's phases: facts for other services and the gameStateChanged message. */
  private eventRows(round: GameRound, phases: RoundPhase[]): OutboxRowData[] {
    return phases.map((phase) =>
      outboxRow({
        type: `games.round_${phase.toLowerCase()}`,
        aggregateId: round.id,
        playerId: round.playerId,
        liveTopic: round.mode === "REAL" || phase !== "OPENED" ? "gameStateChanged" : null,
        payload: { ...gameStateMessage(round, phase), gameId: round.gameId, mode: round.mode, stakeMinor: round.stakeMinor, winMinor: round.winMinor, currency: round.currency },
      }),
    );
  }

  private requireWallet(): WalletPort {
    if (!this.deps.wallet) throw appError("SERVICE_UNAVAILABLE", "The wallet is not configured for this games service (WALLET_URL)");
    return this.deps.wallet;
  }
}

export function gameStateMessage(round: Pick<GameRound, "id" | "playerId" | "sessionId" | "status" | "currency" | "stakeMinor" | "winMinor">, phase: RoundPhase): GameStateMessage {
  const money = (minor: bigint) => ({ amount: formatMinor(minor, round.currency), currency: round.currency });
  return { playerId: round.playerId, sessionId: round.sessionId, roundId: round.id, phase, status: round.status, stake: money(round.stakeMinor), win: money(round.winMinor) };
}

const formatMinor = (minor: bigint, currency: string) => toGraphQLMoney(minor, currency).amount;

export function phaseOf(status: GameRound["status"]): RoundPhase {
  return status === "OPEN" ? "OPENED" : status;
}

function walletRefusal(err: WalletApiError): GraphQLError {
  switch (err.code) {
    case "INSUFFICIENT_FUNDS":
      return appError("INSUFFICIENT_FUNDS", "Not enough funds for this stake", err.details?.cashBalance ? { cashBalanceMinor: err.details.cashBalance } : {});
    case "NOT_FOUND":
      return appError("PLAY_NOT_ALLOWED", "You have no wallet in this currency", { reasons: ["NO_WALLET"] });
    default:
      return appError("CONFLICT", `The wallet refused the stake (${err.code})`, { walletCode: err.code });
  }
}
