import type { SqlExecutor } from "@casino/kernel/db/sql";
import { gameDesignFor, parseGameDesignRules, type GameDesign } from "./game-design.ts";
import { decide, type GamstopStatus } from "./restrictions.ts";
import { LIMIT_PERIODS, checkDeposit, checkStake, parseRgRules, windowStart, type DepositLimitState, type GameKind, type LimitPeriod } from "./responsible-gambling.ts";
import { parseDecisionRules } from "./ruleset.ts";
import type { RuleBook } from "./rulebook.ts";
import { parseMonitoringRules } from "./monitoring.ts";
import { decideWithdrawal, riskLevelOf, type RiskLevel, type WithdrawalDecision } from "./withdrawal-check.ts";

export interface CheckAnswer {
  allowed: boolean;
  /** Machine-readable reasons when refused: restriction reasons, WRONG_CURRENCY, DEPOSIT_LIMIT_<PERIOD>, STAKE_LIMIT. */
  reasons: string[];
}

export interface PlayAnswer extends CheckAnswer {
  jurisdiction: string | null;
  currency: string | null;
  design: GameDesign | null;
  /** Slot stake limit for this player in their currency (null: no limit for this kind). */
  maxStake: bigint | null;
}

interface RestrictionRow {
  jurisdiction: string;
  currency: string | null;
  date_of_birth: Date;
  age_verified: boolean;
  identity_verified: boolean;
  self_excluded_until: Date | null;
  timed_out_until: Date | null;
  blocked: boolean;
  gamstop_status: GamstopStatus;
}

interface LimitRow {
  period: LimitPeriod;
  currency: string;
  amount: string | null;
}

const RESTRICTION_COLUMNS = `jurisdiction, currency, date_of_birth, age_verified, identity_verified, self_excluded_until, timed_out_until, blocked, gamstop_status::text AS gamstop_status`;

/** What the player's risk level reads of their cases (riskLevelOf), as columns of a query on `player_restrictions r`. */
const RISK_COLUMNS = `(SELECT json_agg(DISTINCT c.kind) FROM compliance_case c WHERE c.player_id = r.player_id AND c.status <> 'RESOLVED') AS open_cases,
       EXISTS (SELECT 1 FROM compliance_case c WHERE c.player_id = r.player_id AND c.outcome IN ('REPORTED', 'RESTRICTED')) AS adverse_outcome`;

interface RiskRow {
  open_cases: string[] | null;
  adverse_outcome: boolean;
}

const riskOf = (row: RestrictionRow & RiskRow): RiskLevel => riskLevelOf({ blocked: row.blocked, openCaseKinds: row.open_cases ?? [], adverseOutcome: row.adverse_outcome });

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * The answers to "may this player stake / deposit this now?", each from ONE query on the service's
 * raw pool: the player's row (and for a deposit, the limits and the sums of deposits in each window,
 * computed by the database). Player state is never cached, so a restriction committed a moment ago
 * applies to the very next check; only the immutable rule sets come from memory (RuleBook).
 */
export class ComplianceChecks {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly rules: RuleBook,
  ) {}

  private restrictionReasons(row: RestrictionRow, now: Date, action: "deposit" | "play" | "all"): string[] {
    const inForce = this.rules.inForce(row.jurisdiction, now);
    const decision = decide(
      {
        dateOfBirth: row.date_of_birth,
        ageVerified: row.age_verified,
        identityVerified: row.identity_verified,
        selfExcludedUntil: row.self_excluded_until,
        timedOutUntil: row.timed_out_until,
        blocked: row.blocked,
        gamstopStatus: row.gamstop_status,
      },
      inForce ? parseDecisionRules(inForce) : null,
      now,
    );
    if (action === "all") return [...decision.reasons];
    const allowed = action === "deposit" ? decision.canDeposit : decision.canPlay;
    return allowed ? [] : [...decision.reasons];
  }

  async stake(playerId: string, currency: string, amount: bigint, kind: GameKind, now: Date): Promise<CheckAnswer & { maxStake: bigint | null }> {
    const [row] = await this.sql.query<RestrictionRow>(`SELECT ${RESTRICTION_COLUMNS} FROM player_restrictions WHERE player_id = $1::uuid`, [playerId]);
    if (!row) return { allowed: false, reasons: ["NOT_YET_ASSESSED"], maxStake: null };
    const reasons = this.restrictionReasons(row, now, "play");
    const inForce = this.rules.inForce(row.jurisdiction, now);
    let maxStake: bigint | null = null;
    if (inForce) {
      const stake = checkStake(kind, amount, currency, row.date_of_birth, parseRgRules(inForce), now);
      maxStake = stake.maxStake;
      if (!stake.allowed) reasons.push("STAKE_LIMIT");
    }
    return { allowed: reasons.length === 0, reasons, maxStake };
  }

  /**
   * "May this player play a game of this kind now, and under which rules?" for a game launch: the
   * restriction answer plus what the games service enforces for the whole session (the player's
   * jurisdiction and currency, the game design figures of RTS 14, the slot stake limit for the
   * player's age). A jurisdiction without game design figures is refused (NO_GAME_DESIGN_RULES):
   * the games service cannot show that it respects rules it does not have.
   */
  async play(playerId: string, kind: GameKind, now: Date): Promise<PlayAnswer> {
    const [row] = await this.sql.query<RestrictionRow>(`SELECT ${RESTRICTION_COLUMNS} FROM player_restrictions WHERE player_id = $1::uuid`, [playerId]);
    if (!row) return { allowed: false, reasons: ["NOT_YET_ASSESSED"], jurisdiction: null, currency: null, design: null, maxStake: null };
    const reasons = this.restrictionReasons(row, now, "play");
    const inForce = this.rules.inForce(row.jurisdiction, now);
    let design: GameDesign | null = null;
    let maxStake: bigint | null = null;
    if (inForce) {
      design = gameDesignFor(kind, parseGameDesignRules(inForce));
      if (row.currency) maxStake = checkStake(kind, 0n, row.currency, row.date_of_birth, parseRgRules(inForce), now).maxStake;
    }
    if (!design) reasons.push("NO_GAME_DESIGN_RULES");
    if (!row.currency) reasons.push("NO_CURRENCY");
    return { allowed: reasons.length === 0, reasons, jurisdiction: row.jurisdiction, currency: row.currency, design, maxStake };
  }

  async deposit(playerId: string, currency: string, amount: bigint, now: Date): Promise<CheckAnswer & { remaining: bigint | null; riskLevel: RiskLevel | null }> {
    const starts = LIMIT_PERIODS.map((p) => windowStart(p, now));
    const [row] = await this.sql.query<RestrictionRow & RiskRow & { limits: LimitRow[] | null; day: bigint; week: bigint; month: bigint }>(
      `SELECT ${RESTRICTION_COLUMNS}, ${RISK_COLUMNS},
              (SELECT json_agg(json_build_object('period', l.period, 'currency', l.currency, 'amount', l.amount::text))
                 FROM deposit_limit l WHERE l.player_id = r.player_id AND l.amount IS NOT NULL) AS limits,
              coalesce(m.day, 0)::bigint AS day, coalesce(m.week, 0)::bigint AS week, coalesce(m.month, 0)::bigint AS month
         FROM player_restrictions r
         LEFT JOIN LATERAL (
           SELECT sum(amount) FILTER (WHERE occurred_at > $2) AS day,
                  sum(amount) FILTER (WHERE occurred_at > $3) AS week,
                  sum(amount) FILTER (WHERE occurred_at > $4) AS month
             FROM money_movement
            WHERE player_id = r.player_id AND direction = 'DEPOSIT' AND occurred_at > least($2, $3, $4)::timestamptz
              AND EXISTS (SELECT 1 FROM deposit_limit l WHERE l.player_id = r.player_id AND l.amount IS NOT NULL)
         ) m ON true
        WHERE r.player_id = $1::uuid`,
      [playerId, ...starts],
    );
    if (!row) return { allowed: false, reasons: ["NOT_YET_ASSESSED"], remaining: null, riskLevel: null };
    const reasons = this.restrictionReasons(row, now, "deposit");
    if (row.currency && currency !== row.currency) reasons.push("WRONG_CURRENCY");
    const limits: DepositLimitState[] = (row.limits ?? []).map((l) => ({
      period: l.period,
      currency: l.currency,
      amount: l.amount === null ? null : BigInt(l.amount),
      pendingAmount: null,
      pendingRemoval: false,
      pendingRequestedAt: null,
      pendingConfirmableAt: null,
    }));
    const check = checkDeposit(limits, { DAY: BigInt(row.day), WEEK: BigInt(row.week), MONTH: BigInt(row.month) }, amount);
    if (!check.allowed) reasons.push(`DEPOSIT_LIMIT_${check.exceededPeriod}`);
    return { allowed: reasons.length === 0, reasons, remaining: check.remaining, riskLevel: riskOf(row) };
  }

  /**
   * "May this player withdraw this now, and must staff approve it first?" (see withdrawal-check.ts):
   * the player's row, their cases, and their deposits in the AML windows of the rule set in force,
   * in one query. The windows depend on the player's jurisdiction, so the query gets every
   * jurisdiction's window starts and picks the player's.
   */
  async withdrawal(playerId: string, currency: string, amount: bigint, now: Date): Promise<Omit<WithdrawalDecision, "riskLevel"> & { riskLevel: RiskLevel | null }> {
    const windows: Record<string, { sof: string | null; rapid: string | null }> = {};
    for (const jurisdiction of this.rules.jurisdictions()) {
      const inForce = this.rules.inForce(jurisdiction, now);
      const aml = inForce ? parseMonitoringRules(inForce).aml : undefined;
      windows[jurisdiction] = {
        sof: aml ? new Date(now.getTime() - aml.sourceOfFunds.rollingDays * DAY_MS).toISOString() : null,
        rapid: aml ? new Date(now.getTime() - aml.rapidCycle.lookbackHours * HOUR_MS).toISOString() : null,
      };
    }
    const [row] = await this.sql.query<RestrictionRow & RiskRow & { sof_deposits: string; rapid_deposits: string; sof_cleared: boolean }>(
      `WITH w AS (SELECT ($3::jsonb -> r.jurisdiction ->> 'sof')::timestamptz AS sof, ($3::jsonb -> r.jurisdiction ->> 'rapid')::timestamptz AS rapid
                    FROM player_restrictions r WHERE r.player_id = $1::uuid)
       SELECT ${RESTRICTION_COLUMNS}, ${RISK_COLUMNS},
              coalesce((SELECT sum(m.amount) FROM money_movement m
                         WHERE m.player_id = r.player_id AND m.direction = 'DEPOSIT' AND m.currency = $2 AND m.occurred_at > w.sof), 0)::text AS sof_deposits,
              coalesce((SELECT sum(m.amount) FROM money_movement m
                         WHERE m.player_id = r.player_id AND m.direction = 'DEPOSIT' AND m.currency = $2 AND m.occurred_at >= w.rapid AND m.occurred_at < $4::timestamptz), 0)::text AS rapid_deposits,
              EXISTS (SELECT 1 FROM compliance_case c WHERE c.player_id = r.player_id AND c.kind = 'AML_SOURCE_OF_FUNDS' AND c.outcome = 'NO_ACTION' AND c.resolved_at > w.sof) AS sof_cleared
         FROM player_restrictions r CROSS JOIN w
        WHERE r.player_id = $1::uuid`,
      [playerId, currency, JSON.stringify(windows), now.toISOString()],
    );
    if (!row) return { allowed: false, reasons: ["NOT_YET_ASSESSED"], reviewRequired: false, reviewReasons: [], riskLevel: null };
    const restrictionReasons = this.restrictionReasons(row, now, "all");
    if (row.currency && currency !== row.currency) restrictionReasons.push("WRONG_CURRENCY");
    const inForce = this.rules.inForce(row.jurisdiction, now);
    return decideWithdrawal({
      restrictionReasons,
      currency,
      amountMinor: amount,
      rules: inForce ? parseMonitoringRules(inForce) : null,
      sourceOfFundsDepositsMinor: BigInt(row.sof_deposits),
      rapidCycleDepositsMinor: BigInt(row.rapid_deposits),
      sourceOfFundsCleared: row.sof_cleared,
      blocked: row.blocked,
      openCaseKinds: row.open_cases ?? [],
      adverseOutcome: row.adverse_outcome,
    });
  }
}
