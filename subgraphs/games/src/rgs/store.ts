/**
 * The RGS layer's own tables in the games database: provider RGS configuration, and the record of
 * every provider transaction id with its request hash and first answer (rgs_transaction), grouped in
 * attempts (rgs_attempt) that say how far a command got. Raw SQL on the service's executor: each step
 * of a callback is one statement and one round trip, and no transaction is held open across a call to
 * the wallet (on PGlite that would block every other query of the process).
 *
 * Group commit. The two statements of every fresh callback, its claim (claimFresh) and its answer
 * (finish), go through one BatchQueue: when callbacks arrive faster than the database commits, the
 * claims and answers that wait for a free slot are written together by one statement (WRITE_BATCH),
 * one transaction and one commit, each with exactly the rows and the result it gets alone. Two items
 * of one transaction id (or one attempt) never share a batch. A callback that finds a free slot is
 * written at once with its own statement, as before.
 */
import { BatchQueue, type Settled } from "@casino/kernel/batch-queue";
import { isStatementError } from "@casino/kernel/db/errors";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import { sessionByTokenSql, type LaunchSessionRow } from "../launch/sessions.ts";
import type { OutcomeCode } from "./model.ts";

export type TransactionKind = "BET" | "WIN" | "ROLLBACK";
export type AttemptState = "STARTED" | "APPLY" | "REFUSE" | "DONE";

/** One provider transaction id as claimed by an attempt, with everything needed to (re)do it. */
export interface PlannedTransaction {
  externalId: string;
  seq: number;
  kind: TransactionKind;
  requestHash: string;
  playerId: string;
  currency: string;
  amountMinor: bigint;
  free: boolean;
  roundId: string;
  gameCode: string;
  refExternalId: string | null;
  walletKey: string;
  refWalletKey: string | null;
}

export interface StoredTransaction extends PlannedTransaction {
  attemptId: string;
  attemptState: AttemptState;
  /** Owner's lease still running (the attempt is being worked on). */
  leaseLive: boolean;
  refusal: OutcomeCode | null;
  outcome: OutcomeCode | null;
  balanceMinor: bigint | null;
  walletTransactionId: string | null;
  processedAt: Date | null;
}

/**
 * What a session must be for a fresh request to be claimed with it (claimFresh): the player's and
 * provider's, in the request's currency; for a bet also REAL, of the game, neither ended nor expired
 * at `now`. No token (tokenHash null) passes for wins and rollbacks only.
 */
export interface SessionGate {
  tokenHash: string | null;
  playerId: string;
  bet: boolean;
  currency: string;
  gameCode: string;
  now: Date;
}

export interface FinishedStep {
  externalId: string;
  walletTransactionId: string | null;
}

export interface ProviderRow {
  id: string;
  code: string;
  protocol: string | null;
  enabled: boolean;
  /** Null when the provider has no RGS configuration. */
  credentials: unknown;
  allowedCurrencies: string[] | null;
  allowedGameCodes: string[] | null;
  rgsEnabled: boolean | null;
}

export interface GameRow {
  id: string;
  code: string;
  type: string;
  enabled: boolean;
}

interface TxRow {
  provider_id: string;
  external_id: string;
  attempt_id: string;
  seq: number;
  kind: TransactionKind;
  request_hash: string;
  player_id: string;
  currency: string;
  amount_minor: bigint;
  free: boolean;
  round_id: string;
  game_code: string;
  ref_external_id: string | null;
  wallet_key: string;
  ref_wallet_key: string | null;
  outcome: OutcomeCode | null;
  balance_minor: bigint | null;
  wallet_transaction_id: string | null;
  processed_at: Date | null;
  attempt_state: AttemptState;
  refusal: OutcomeCode | null;
  lease_live: boolean;
}

const TX_COLUMNS = `t.provider_id, t.external_id, t.attempt_id, t.seq, t.kind::text AS kind, t.request_hash, t.player_id::text AS player_id,
  t.currency::text AS currency, t.amount_minor, t.free, t.round_id, t.game_code, t.ref_external_id, t.wallet_key, t.ref_wallet_key,
  t.outcome, t.balance_minor, t.wallet_transaction_id::text AS wallet_transaction_id, t.processed_at,
  a.state::text AS attempt_state, a.refusal, a.lease_until > now() AS lease_live`;

function toStored(r: TxRow): StoredTransaction {
  return {
    externalId: r.external_id,
    seq: Number(r.seq),
    kind: r.kind,
    requestHash: r.request_hash,
    playerId: r.player_id,
    currency: r.currency,
    amountMinor: BigInt(r.amount_minor),
    free: r.free,
    roundId: r.round_id,
    gameCode: r.game_code,
    refExternalId: r.ref_external_id,
    walletKey: r.wallet_key,
    refWalletKey: r.ref_wallet_key,
    attemptId: r.attempt_id,
    attemptState: r.attempt_state,
    leaseLive: r.lease_live,
    refusal: r.refusal,
    outcome: r.outcome,
    balanceMinor: r.balance_minor === null ? null : BigInt(r.balance_minor),
    walletTransactionId: r.wallet_transaction_id,
    processedAt: r.processed_at,
  };
}

/** The columns of a planned transaction inside the JSON of a claim (INSERT_CLAIMED, WRITE_BATCH). */
function txJson(p: PlannedTransaction) {
  return {
    external_id: p.externalId,
    seq: p.seq,
    kind: p.kind,
    request_hash: p.requestHash,
    player_id: p.playerId,
    currency: p.currency,
    amount_minor: p.amountMinor.toString(),
    free: p.free,
    round_id: p.roundId,
    game_code: p.gameCode,
    ref_external_id: p.refExternalId,
    wallet_key: p.walletKey,
    ref_wallet_key: p.refWalletKey,
  };
}

const TX_RECORD = `external_id text, seq int, kind text, request_hash text, player_id text, currency text,
              amount_minor bigint, free boolean, round_id text, game_code text, ref_external_id text, wallet_key text, ref_wallet_key text`;

/** The transactions of a claim, inserted for the attempt of the CTE `attempt` (none when it wrote no row). */
const INSERT_CLAIMED = `INSERT INTO rgs_transaction (provider_id, external_id, attempt_id, seq, kind, request_hash, player_id, currency, amount_minor,
                                    free, round_id, game_code, ref_external_id, wallet_key, ref_wallet_key)
       SELECT $3::uuid, r.external_id, attempt.id, r.seq, r.kind::"RgsTransactionKind", r.request_hash, r.player_id::uuid, r.currency,
              r.amount_minor, r.free, r.round_id, r.game_code, r.ref_external_id, r.wallet_key, r.ref_wallet_key
         FROM attempt CROSS JOIN jsonb_to_recordset($5::jsonb) AS r(${TX_RECORD})
       ON CONFLICT (provider_id, external_id) DO NOTHING
       RETURNING external_id`;

function claimParams(attemptId: string, owner: string, providerId: string, leaseMs: number, planned: readonly PlannedTransaction[]): unknown[] {
  return [attemptId, owner, providerId, leaseMs, JSON.stringify(planned.map(txJson))];
}

/**
 * Claims and answers of several callbacks in one statement: $1 the claims, $2 the answers (JSON
 * arrays, each item with its `ord`), $3 the answers' attempt ids, $4 and $5 the claims' providers and
 * transaction ids. Each claim is claimFresh's statement
 * for one item (the same session read, the same conditions, the same rows), each answer finish's; the
 * result rows say which item (`ord`) they belong to.
 *
 * Written so that every table is reached through an index whatever the planner believes of the
 * JSON's row counts: the session is a LATERAL lookup with LIMIT (an index probe per claim), the ids
 * already known are read once by the primary key (`= ANY` of $4 and $5), the answers' rows by
 * `= ANY($3)` on their attempt ids.
 */
const WRITE_BATCH = `WITH c AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(ord int, attempt_id uuid, owner uuid, provider_id uuid, lease_ms double precision,
                ids jsonb, token_hash text, player_id text, bet boolean, currency text, game_code text, at timestamptz, txs jsonb)
       ), session AS (
         SELECT c.ord, x.* FROM c CROSS JOIN LATERAL (${sessionByTokenSql("c.token_hash")} LIMIT 1) x
       ), known AS MATERIALIZED (
         SELECT k.provider_id, k.external_id FROM rgs_transaction k WHERE k.provider_id = ANY ($4::uuid[]) AND k.external_id = ANY ($5::text[])
       ), attempt AS (
         INSERT INTO rgs_attempt (id, provider_id, owner, state, lease_until)
         SELECT c.attempt_id, c.provider_id, c.owner, 'STARTED', now() + make_interval(secs => c.lease_ms / 1000)
           FROM c LEFT JOIN session s ON s.ord = c.ord
          WHERE NOT EXISTS (SELECT 1 FROM known WHERE known.provider_id = c.provider_id AND known.external_id IN (SELECT jsonb_array_elements_text(c.ids)))
            AND ((c.token_hash IS NULL AND NOT c.bet)
                 OR (s.ord IS NOT NULL AND s.provider_id = c.provider_id::text AND s.player_id = lower(c.player_id) AND s.currency = c.currency
                     AND (NOT c.bet OR (s.mode = 'REAL' AND s.game_code = c.game_code AND s.ended_at IS NULL AND s.expires_at > c.at))))
         RETURNING id
       ), claimed AS (
         INSERT INTO rgs_transaction (provider_id, external_id, attempt_id, seq, kind, request_hash, player_id, currency, amount_minor,
                                      free, round_id, game_code, ref_external_id, wallet_key, ref_wallet_key)
         SELECT c.provider_id, r.external_id, attempt.id, r.seq, r.kind::"RgsTransactionKind", r.request_hash, r.player_id::uuid, r.currency,
                r.amount_minor, r.free, r.round_id, r.game_code, r.ref_external_id, r.wallet_key, r.ref_wallet_key
           FROM attempt JOIN c ON c.attempt_id = attempt.id CROSS JOIN jsonb_to_recordset(c.txs) AS r(${TX_RECORD})
         ON CONFLICT (provider_id, external_id) DO NOTHING
         RETURNING attempt_id, external_id
       ), f AS (
         SELECT * FROM jsonb_to_recordset($2::jsonb) AS f(ord int, attempt_id uuid, owner uuid, outcome text, balance bigint, steps jsonb)
       ), done AS (
         UPDATE rgs_attempt a SET state = 'DONE', refusal = CASE WHEN f.outcome = 'OK' THEN NULL ELSE f.outcome END, lease_until = now(), updated_at = now()
           FROM f
          WHERE a.id = ANY ($3::uuid[]) AND a.id = f.attempt_id AND a.owner = f.owner AND a.state <> 'DONE'
         RETURNING a.id
       ), finished AS (
         UPDATE rgs_transaction t SET outcome = f.outcome, balance_minor = f.balance, wallet_transaction_id = st.wallet_transaction_id::uuid,
                processed_at = date_trunc('milliseconds', clock_timestamp())
           FROM f JOIN done ON done.id = f.attempt_id CROSS JOIN jsonb_to_recordset(f.steps) AS st(external_id text, wallet_transaction_id text)
          WHERE t.attempt_id = ANY ($3::uuid[]) AND t.attempt_id = f.attempt_id AND t.external_id = st.external_id
         RETURNING t.attempt_id, t.external_id, t.processed_at
       )
       SELECT 'claimed' AS part, c.ord, x.external_id, NULL::json AS session, NULL::timestamptz AS processed_at FROM claimed x JOIN c ON c.attempt_id = x.attempt_id
       UNION ALL
       SELECT 'attempt', c.ord, NULL, NULL, NULL FROM attempt x JOIN c ON c.attempt_id = x.id
       UNION ALL
       SELECT 'session', s.ord, NULL, row_to_json(s), NULL FROM session s
       UNION ALL
       SELECT 'finished', f.ord, x.external_id, NULL, x.processed_at FROM finished x JOIN f ON f.attempt_id = x.attempt_id`;

interface ClaimArgs {
  attemptId: string;
  owner: string;
  providerId: string;
  leaseMs: number;
  planned: readonly PlannedTransaction[];
  gate: SessionGate;
}
interface FinishArgs {
  attemptId: string;
  owner: string;
  outcome: OutcomeCode;
  balance: bigint | null;
  steps: readonly FinishedStep[];
}
type WriteOp = ({ op: "claim" } & ClaimArgs) | ({ op: "finish" } & FinishArgs);
export interface ClaimResult {
  attempted: boolean;
  claimed: string[];
  session: LaunchSessionRow | null;
}
type WriteResult = ClaimResult | Map<string, Date> | null;

/** How the store groups its writes (see the header); default 2 statements in flight (1 on PGlite), 32 writes per statement. */
export interface RgsStoreOptions {
  maxInFlight?: number;
  maxBatch?: number;
}

export class RgsStore {
  private readonly writes: BatchQueue<WriteOp, WriteResult>;

  constructor(
    private readonly sql: SqlExecutor,
    opts: RgsStoreOptions = {},
  ) {
    this.writes = new BatchQueue<WriteOp, WriteResult>({
      maxInFlight: opts.maxInFlight ?? (sql.dialect === "pglite" ? 1 : 2),
      maxBatch: opts.maxBatch ?? 32,
      keysOf: (w) => (w.op === "claim" ? w.planned.map((p) => `t:${w.providerId}:${p.externalId}`) : [`a:${w.attemptId}`]),
      run: (batch) => this.write(batch),
    });
  }

  async provider(code: string): Promise<ProviderRow | null> {
    const [row] = await this.sql.query<{
      id: string;
      code: string;
      protocol: string | null;
      enabled: boolean;
      credentials: unknown;
      allowed_currencies: string[] | null;
      allowed_game_codes: string[] | null;
      rgs_enabled: boolean | null;
    }>(
      `SELECT p.id::text AS id, p.code, p.protocol, p.enabled, c.credentials, c.allowed_currencies, c.allowed_game_codes, c.enabled AS rgs_enabled
         FROM provider p LEFT JOIN rgs_provider_config c ON c.provider_id = p.id
        WHERE p.code = $1`,
      [code],
    );
    if (!row) return null;
    return {
      id: row.id,
      code: row.code,
      protocol: row.protocol,
      enabled: row.enabled,
      credentials: row.credentials,
      allowedCurrencies: row.allowed_currencies,
      allowedGameCodes: row.allowed_game_codes,
      rgsEnabled: row.rgs_enabled,
    };
  }

  async game(providerId: string, code: string): Promise<GameRow | null> {
    const [row] = await this.sql.query<GameRow>(
      `SELECT id::text AS id, code, type::text AS type, enabled FROM game WHERE provider_id = $1::uuid AND code = $2`,
      [providerId, code],
    );
    return row ?? null;
  }

  async find(providerId: string, externalIds: readonly string[]): Promise<StoredTransaction[]> {
    if (externalIds.length === 0) return [];
    const rows = await this.sql.query<TxRow>(
      `SELECT ${TX_COLUMNS} FROM rgs_transaction t JOIN rgs_attempt a ON a.id = t.attempt_id
        WHERE t.provider_id = $1::uuid AND t.external_id = ANY($2::text[]) ORDER BY t.attempt_id, t.seq`,
      [providerId, externalIds],
    );
    return rows.map(toStored);
  }

  /** Every transaction of one attempt, in order. */
  async attempt(attemptId: string): Promise<StoredTransaction[]> {
    const rows = await this.sql.query<TxRow>(
      `SELECT ${TX_COLUMNS} FROM rgs_transaction t JOIN rgs_attempt a ON a.id = t.attempt_id WHERE t.attempt_id = $1::uuid ORDER BY t.seq`,
      [attemptId],
    );
    return rows.map(toStored);
  }

  /** A rollback of the given stake that was applied (tombstone or reversal). */
  async appliedRollbackOf(providerId: string, betExternalId: string): Promise<boolean> {
    const rows = await this.sql.query<{ one: number }>(
      `SELECT 1 AS one FROM rgs_transaction WHERE provider_id = $1::uuid AND ref_external_id = $2 AND kind = 'ROLLBACK' AND outcome = 'OK' LIMIT 1`,
      [providerId, betExternalId],
    );
    return rows.length > 0;
  }

  /**
   * Claims transaction ids for a new attempt, in one statement: the attempt row and one row per id.
   * Returns the ids actually claimed; fewer than asked means another attempt holds some of them (the
   * caller then withdraws this claim and looks again).
   */
  async claim(attemptId: string, owner: string, providerId: string, leaseMs: number, planned: readonly PlannedTransaction[]): Promise<string[]> {
    const rows = await this.sql.query<{ external_id: string }>(
      `WITH attempt AS (
         INSERT INTO rgs_attempt (id, provider_id, owner, state, lease_until)
         VALUES ($1::uuid, $3::uuid, $2::uuid, 'STARTED', now() + make_interval(secs => $4::double precision / 1000))
         RETURNING id
       )
       ${INSERT_CLAIMED}`,
      claimParams(attemptId, owner, providerId, leaseMs, planned),
    );
    return rows.map((r) => r.external_id);
  }

  /** The launch session of a token's hash (see launch/sessions.ts). */
  async session(tokenHash: string): Promise<LaunchSessionRow | null> {
    const [row] = await this.sql.query<LaunchSessionRow>(sessionByTokenSql("$1"), [tokenHash]);
    return row ?? null;
  }

  /**
   * The whole of a fresh request's work before the wallet, in one statement: reads the launch session
   * of its token and, when none of its ids was ever recorded and the session allows the request
   * (`gate`: the same rules the service then applies to the session it gets back), claims them all
   * for a new attempt (as claim()); otherwise writes nothing.
   *
   * `attempted` says whether the attempt row was written: a claim of fewer ids than asked (another
   * request recorded some in between) must then be withdrawn. Nothing attempted: some ids are known
   * (the caller looks them up to replay, refuse as a duplicate or wait) or the session refuses.
   */
  claimFresh(
    attemptId: string,
    owner: string,
    providerId: string,
    leaseMs: number,
    planned: readonly PlannedTransaction[],
    gate: SessionGate,
  ): Promise<ClaimResult> {
    return this.writes.submit({ op: "claim", attemptId, owner, providerId, leaseMs, planned, gate }) as Promise<ClaimResult>;
  }

  /** claimFresh's own statement, for a claim written alone. */
  private async claimAlone({ attemptId, owner, providerId, leaseMs, planned, gate }: ClaimArgs): Promise<ClaimResult> {
    const rows = await this.sql.query<{ part: "claimed" | "attempt" | "session"; external_id: string | null; session: LaunchSessionRow | null }>(
      `WITH session AS (
         ${sessionByTokenSql("$7")}
       ), attempt AS (
         INSERT INTO rgs_attempt (id, provider_id, owner, state, lease_until)
         SELECT $1::uuid, $3::uuid, $2::uuid, 'STARTED', now() + make_interval(secs => $4::double precision / 1000)
          WHERE NOT EXISTS (SELECT 1 FROM rgs_transaction k WHERE k.provider_id = $3::uuid AND k.external_id = ANY($6::text[]))
            AND (($7::text IS NULL AND NOT $9::boolean)
                 OR EXISTS (SELECT 1 FROM session s
                             WHERE s.provider_id = $3::text AND s.player_id = lower($8::text) AND s.currency = $10::text
                               AND (NOT $9::boolean OR (s.mode = 'REAL' AND s.game_code = $11::text AND s.ended_at IS NULL AND s.expires_at > $12::timestamptz))))
         RETURNING id
       ), claimed AS (
         ${INSERT_CLAIMED}
       )
       SELECT 'claimed' AS part, c.external_id, NULL::json AS session FROM claimed c
       UNION ALL
       SELECT 'attempt', NULL, NULL FROM attempt
       UNION ALL
       SELECT 'session', NULL, row_to_json(s) FROM session s`,
      [
        ...claimParams(attemptId, owner, providerId, leaseMs, planned),
        planned.map((p) => p.externalId),
        gate.tokenHash,
        gate.playerId,
        gate.bet,
        gate.currency,
        gate.gameCode,
        gate.now.toISOString(),
      ],
      // Prepared once per pooled connection: the statement on every fresh callback.
      { name: "rgs_claim_fresh" },
    );
    return {
      attempted: rows.some((r) => r.part === "attempt"),
      claimed: rows.flatMap((r) => (r.part === "claimed" && r.external_id !== null ? [r.external_id] : [])),
      session: rows.find((r) => r.part === "session")?.session ?? null,
    };
  }

  private alone(w: WriteOp): Promise<WriteResult> {
    return w.op === "claim" ? this.claimAlone(w) : this.finishAlone(w);
  }

  /**
   * One batch of the write queue: alone with its own statement, or together with WRITE_BATCH. When
   * the batch statement fails with an error of the server, none of it was committed: each write is
   * then made alone, in order, and meets its own result or error. Any other failure (a broken
   * connection) leaves the outcome unknown, and every write of the batch fails with it, as it would
   * have alone (a claim's ids are then found or not by the next request; an answer is recovered).
   */
  private async write(batch: readonly WriteOp[]): Promise<Settled<WriteResult>[]> {
    const settle = (p: Promise<WriteResult>) => p.then((value): Settled<WriteResult> => ({ ok: true, value }), (error: unknown): Settled<WriteResult> => ({ ok: false, error }));
    if (batch.length === 1) return [await settle(this.alone(batch[0]!))];
    const claims: unknown[] = [];
    const finishes: unknown[] = [];
    batch.forEach((w, ord) => {
      if (w.op === "claim") {
        claims.push({
          ord,
          attempt_id: w.attemptId,
          owner: w.owner,
          provider_id: w.providerId,
          lease_ms: w.leaseMs,
          ids: w.planned.map((p) => p.externalId),
          token_hash: w.gate.tokenHash,
          player_id: w.gate.playerId,
          bet: w.gate.bet,
          currency: w.gate.currency,
          game_code: w.gate.gameCode,
          at: w.gate.now.toISOString(),
          txs: w.planned.map(txJson),
        });
      } else {
        finishes.push({
          ord,
          attempt_id: w.attemptId,
          owner: w.owner,
          outcome: w.outcome,
          balance: w.balance === null ? null : w.balance.toString(),
          steps: w.steps.map((st) => ({ external_id: st.externalId, wallet_transaction_id: st.walletTransactionId })),
        });
      }
    });
    let rows: { part: "claimed" | "attempt" | "session" | "finished"; ord: number; external_id: string | null; session: (LaunchSessionRow & { ord?: number }) | null; processed_at: Date | null }[];
    try {
      const answered = batch.flatMap((w) => (w.op === "finish" ? [w.attemptId] : []));
      const claiming = batch.flatMap((w) => (w.op === "claim" ? [w] : []));
      const providers = [...new Set(claiming.map((w) => w.providerId))];
      const ids = claiming.flatMap((w) => w.planned.map((p) => p.externalId));
      // Not a named prepared statement: planned for each batch with its own array sizes and the
      // tables' current sizes, so that the known ids and the answers' attempts are read by their
      // indexes (a kept generic plan, made once for ten-element arrays or small tables, scans them).
      rows = await this.sql.query(WRITE_BATCH, [JSON.stringify(claims), JSON.stringify(finishes), answered, providers, ids]);
    } catch (err) {
      if (!isStatementError(err)) return batch.map(() => ({ ok: false, error: err }));
      const answers: Settled<WriteResult>[] = [];
      for (const w of batch) answers.push(await settle(this.alone(w)));
      return answers;
    }
    const results: WriteResult[] = batch.map((w) => (w.op === "claim" ? { attempted: false, claimed: [], session: null } : null));
    for (const r of rows) {
      const ord = Number(r.ord);
      const w = batch[ord]!;
      if (w.op === "claim") {
        const c = results[ord] as ClaimResult;
        if (r.part === "attempt") c.attempted = true;
        else if (r.part === "claimed" && r.external_id !== null) c.claimed.push(r.external_id);
        else if (r.part === "session" && r.session) {
          const { ord: _ord, ...session } = r.session;
          c.session = session;
        }
      } else if (r.part === "finished" && r.external_id !== null && r.processed_at !== null) {
        const done = (results[ord] as Map<string, Date> | null) ?? new Map<string, Date>();
        done.set(r.external_id, r.processed_at);
        results[ord] = done;
      }
    }
    return results.map((value) => ({ ok: true, value }));
  }

  /** Withdraws an attempt that claimed nothing or must not go on (nothing was sent to the wallet). */
  async withdraw(attemptId: string, owner: string): Promise<void> {
    // Its transactions go with it (ON DELETE CASCADE).
    await this.sql.query(`DELETE FROM rgs_attempt WHERE id = $1::uuid AND owner = $2::uuid AND state = 'STARTED'`, [attemptId, owner]);
  }

  /**
   * Records the decision of a multi-step attempt (all its stakes were accepted, or one was refused)
   * before acting on it. False when the attempt is no longer this owner's (its lease ran out and
   * another request took it over): the caller must stop.
   */
  async decide(attemptId: string, owner: string, state: "APPLY" | "REFUSE", refusal: OutcomeCode | null): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE rgs_attempt SET state = $3::"RgsAttemptState", refusal = $4, updated_at = now()
        WHERE id = $1::uuid AND owner = $2::uuid AND state = 'STARTED' RETURNING id`,
      [attemptId, owner, state, refusal],
    );
    return rows.length === 1;
  }

  /**
   * The attempt's answer, on every transaction it claimed, and its end; fenced by the owner. Returns
   * when each transaction was processed, or null when the attempt was no longer this owner's.
   */
  finish(attemptId: string, owner: string, outcome: OutcomeCode, balance: bigint | null, steps: readonly FinishedStep[]): Promise<Map<string, Date> | null> {
    return this.writes.submit({ op: "finish", attemptId, owner, outcome, balance, steps }) as Promise<Map<string, Date> | null>;
  }

  /** finish's own statement, for an answer written alone. */
  private async finishAlone({ attemptId, owner, outcome, balance, steps }: FinishArgs): Promise<Map<string, Date> | null> {
    const rows = await this.sql.query<{ external_id: string; processed_at: Date }>(
      `WITH done AS (
         UPDATE rgs_attempt SET state = 'DONE', refusal = CASE WHEN $3 = 'OK' THEN NULL ELSE $3 END, lease_until = now(), updated_at = now()
          WHERE id = $1::uuid AND owner = $2::uuid AND state <> 'DONE' RETURNING id
       )
       UPDATE rgs_transaction t SET outcome = $3, balance_minor = $4::bigint, wallet_transaction_id = s.wallet_transaction_id::uuid,
              processed_at = date_trunc('milliseconds', clock_timestamp())
         FROM jsonb_to_recordset($5::jsonb) AS s(external_id text, wallet_transaction_id text)
        WHERE t.attempt_id = (SELECT id FROM done) AND t.external_id = s.external_id
       RETURNING t.external_id, t.processed_at`,
      [attemptId, owner, outcome, balance === null ? null : balance.toString(), JSON.stringify(steps.map((s) => ({ external_id: s.externalId, wallet_transaction_id: s.walletTransactionId })))],
      { name: "rgs_finish" },
    );
    if (rows.length === 0) return null;
    return new Map(rows.map((r) => [r.external_id, r.processed_at]));
  }

  /** Ends this owner's lease early so that the next request for these ids recovers the attempt at once. */
  async release(attemptId: string, owner: string): Promise<void> {
    await this.sql.query(`UPDATE rgs_attempt SET lease_until = now() WHERE id = $1::uuid AND owner = $2::uuid AND state <> 'DONE'`, [attemptId, owner]);
  }

  /** Takes over an attempt whose lease ran out. Returns its state, or null when it is not ours to take. */
  async takeOver(attemptId: string, owner: string, leaseMs: number): Promise<{ state: AttemptState; refusal: OutcomeCode | null } | null> {
    const [row] = await this.sql.query<{ state: AttemptState; refusal: OutcomeCode | null }>(
      `UPDATE rgs_attempt SET owner = $2::uuid, lease_until = now() + make_interval(secs => $3::double precision / 1000), updated_at = now()
        WHERE id = $1::uuid AND lease_until <= now() AND state <> 'DONE'
        RETURNING state::text AS state, refusal`,
      [attemptId, owner, leaseMs],
    );
    return row ?? null;
  }
}
