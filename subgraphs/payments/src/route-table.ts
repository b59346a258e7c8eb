import type { SqlExecutor } from "@casino/kernel/db/sql";
import { appError, badInput } from "@casino/kernel/errors";
import { outboxRow } from "@casino/kernel/events/outbox";
import type { Logger } from "@casino/kernel/logger";
import { isSupportedCurrency } from "@casino/kernel/money";
import { z } from "zod";
import { PAYMENT_METHODS } from "./deposits/deposit-service.ts";
import type { PrismaClient } from "./generated/prisma/client.ts";
import { PSP_NAMES, type PspName } from "./psp/types.ts";
import { RISK_LEVELS, type RiskLevel, type RouteRule } from "./routing.ts";

/** The methods each PSP's adapter takes (src/psp/<name>/adapter.ts): a rule may only name PSPs taking its method. */
export const PSP_METHODS: Readonly<Record<PspName, readonly string[]>> = { stripe: ["card"], nuvei: ["card"], trustly: ["bank_transfer"] };

/** Where the routes come from: the table (the service), or a fixed list (unit tests). */
export interface RoutesPort {
  /** The rules in order. `sql`: the executor to read with (inside a caller's transaction). */
  rules(sql?: SqlExecutor): Promise<readonly RouteRule[]>;
}

export interface RouteTableView {
  version: number;
  updatedBy: string;
  updatedAt: Date;
  rules: readonly RouteRule[];
}

interface RouteRow {
  position: number;
  method: string;
  currencies: string[] | null;
  countries: string[] | null;
  min_minor: string | null;
  max_minor: string | null;
  risk_levels: RiskLevel[] | null;
  psps: PspName[];
  weights: number[] | null;
}

const nonEmpty = <T>(list: readonly T[] | null | undefined): readonly T[] | undefined => (list && list.length > 0 ? list : undefined);

function ruleOf(row: RouteRow): RouteRule {
  const rule: RouteRule = { method: row.method, psps: row.psps };
  const currencies = nonEmpty(row.currencies);
  const countries = nonEmpty(row.countries);
  const riskLevels = nonEmpty(row.risk_levels);
  const weights = nonEmpty(row.weights);
  return {
    ...rule,
    ...(currencies ? { currencies } : {}),
    ...(countries ? { countries } : {}),
    ...(row.min_minor !== null ? { minMinor: BigInt(row.min_minor) } : {}),
    ...(row.max_minor !== null ? { maxMinor: BigInt(row.max_minor) } : {}),
    ...(riskLevels ? { riskLevels } : {}),
    ...(weights ? { weights } : {}),
  };
}

const unique = <T>(list: readonly T[]) => new Set(list).size === list.length;
const minor = z.string().regex(/^\d{1,18}$/, "must be a whole number of minor units (0 to 18 digits), as a string");

/** One rule as staff send it (GraphQL PaymentRouteInput): an absent list matches anything; an empty one is refused. */
const inputRuleSchema = z
  .object({
    method: z.enum(PAYMENT_METHODS),
    psps: z.array(z.enum(PSP_NAMES)).min(1).refine(unique, "names a PSP twice"),
    weights: z.array(z.number().positive().finite()).min(1).nullish(),
    currencies: z.array(z.string().refine(isSupportedCurrency, "must be a supported ISO 4217 code")).min(1).refine(unique, "names a currency twice").nullish(),
    countries: z.array(z.string().regex(/^[A-Z]{2}$/, "must be ISO 3166-1 alpha-2 (upper case)")).min(1).refine(unique, "names a country twice").nullish(),
    minMinor: minor.nullish(),
    maxMinor: minor.nullish(),
    riskLevels: z.array(z.enum(RISK_LEVELS)).min(1).refine(unique, "names a risk level twice").nullish(),
  })
  .superRefine((r, ctx) => {
    if (r.weights && r.weights.length !== r.psps.length) ctx.addIssue({ code: "custom", path: ["weights"], message: "must have one weight per PSP" });
    if (r.minMinor != null && r.maxMinor != null && BigInt(r.minMinor) > BigInt(r.maxMinor)) ctx.addIssue({ code: "custom", path: ["minMinor"], message: "must not be above maxMinor" });
    r.psps.forEach((psp, i) => {
      if (!PSP_METHODS[psp].includes(r.method)) ctx.addIssue({ code: "custom", path: ["psps", i], message: `${psp} does not take ${r.method}` });
    });
  });
const inputRulesSchema = z.array(inputRuleSchema).min(1, "needs at least one rule").max(100, "at most 100 rules");

/** Staff's rules, validated; BAD_USER_INPUT naming the first problem (e.g. rules.1.psps.0). */
export function validateRouteInput(input: unknown): RouteRule[] {
  const parsed = inputRulesSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = ["rules", ...issue.path].join(".");
    throw badInput(`${field}: ${issue.message}`, field);
  }
  return parsed.data.map((r) => ({
    method: r.method,
    psps: r.psps,
    ...(r.weights ? { weights: r.weights } : {}),
    ...(r.currencies ? { currencies: r.currencies } : {}),
    ...(r.countries ? { countries: r.countries } : {}),
    ...(r.minMinor != null ? { minMinor: BigInt(r.minMinor) } : {}),
    ...(r.maxMinor != null ? { maxMinor: BigInt(r.maxMinor) } : {}),
    ...(r.riskLevels ? { riskLevels: r.riskLevels } : {}),
  }));
}

const ROUTE_COLUMNS = `position, method, to_json(currencies) AS currencies, to_json(countries) AS countries, min_minor::text AS min_minor,
  max_minor::text AS max_minor, to_json(risk_levels) AS risk_levels, to_json(psps) AS psps, to_json(weights) AS weights`;

/** JSON for the audit event: bigints as strings. */
const ruleJson = (r: RouteRule) => ({ ...r, minMinor: r.minMinor?.toString(), maxMinor: r.maxMinor?.toString() });

/**
 * The routing rules in the payments database. Every routing decision reads them (one query of a
 * few rows, on the caller's executor), so a change staff make applies to the very next payment in
 * every payments process; there is no cache to invalidate. Replaced as a whole, in one transaction
 * that bumps the table's version and writes a `payments.routes_changed` event (the audit: who, what
 * before, what after).
 */
export class RouteTable implements RoutesPort {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: SqlExecutor,
    private readonly publishOutbox: () => void,
    private readonly log: Logger,
  ) {}

  /**
   * The first process to start on an empty table writes `initial` (PAYMENTS_ROUTES or the defaults)
   * as version 1; later starts leave the table as staff left it. Two processes starting at once: the
   * second waits on the first's row and then writes nothing.
   */
  async seed(initial: readonly RouteRule[], source: string): Promise<boolean> {
    const seeded = await this.prisma.$transaction(async (tx) => {
      const inserted = await tx.$executeRaw`INSERT INTO payment_route_set (id, version, updated_by) VALUES (1, 1, ${source}) ON CONFLICT (id) DO NOTHING`;
      if (inserted === 0) return false;
      await tx.paymentRoute.createMany({ data: initial.map((r, position) => this.rowOf(r, position)) });
      await tx.outboxEvent.create({ data: outboxRow({ type: "payments.routes_changed", aggregateId: "payment_route", payload: { version: 1, previousVersion: null, changedBy: source, rules: initial.map(ruleJson), previousRules: [] } }) });
      return true;
    });
    if (seeded) {
      this.log.info({ source, rules: initial.length }, "payment routes seeded");
      this.publishOutbox();
    }
    return seeded;
  }

  async rules(sql: SqlExecutor = this.sql): Promise<readonly RouteRule[]> {
    const rows = await sql.query<RouteRow>(`SELECT ${ROUTE_COLUMNS} FROM payment_route ORDER BY position`);
    return rows.map(ruleOf);
  }

  async view(): Promise<RouteTableView> {
    const [set] = await this.sql.query<{ version: number; updated_by: string; updated_at: Date | string }>(`SELECT version, updated_by, updated_at FROM payment_route_set WHERE id = 1`);
    if (!set) throw appError("SERVICE_UNAVAILABLE", "The routing table is not seeded yet");
    return { version: Number(set.version), updatedBy: set.updated_by, updatedAt: new Date(set.updated_at), rules: await this.rules() };
  }

  /** Staff replace the rules (validated; CONFLICT when `expectedVersion` is not the current one). */
  async replace(input: unknown, staffId: string, expectedVersion: number | null | undefined): Promise<RouteTableView> {
    const rules = validateRouteInput(input);
    await this.prisma.$transaction(async (tx) => {
      const [set] = await tx.$queryRaw<Array<{ version: number }>>`SELECT version FROM payment_route_set WHERE id = 1 FOR UPDATE`;
      if (!set) throw appError("SERVICE_UNAVAILABLE", "The routing table is not seeded yet");
      const version = Number(set.version);
      if (expectedVersion != null && expectedVersion !== version) {
        throw appError("CONFLICT", `The routes changed meanwhile: version ${version}, not ${expectedVersion}; read them again`, { field: "expectedVersion" });
      }
      const previous = (await tx.$queryRawUnsafe<RouteRow[]>(`SELECT ${ROUTE_COLUMNS} FROM payment_route ORDER BY position`)).map(ruleOf);
      await tx.paymentRoute.deleteMany({});
      await tx.paymentRoute.createMany({ data: rules.map((r, position) => this.rowOf(r, position)) });
      await tx.paymentRouteSet.update({ where: { id: 1 }, data: { version: version + 1, updatedBy: staffId, updatedAt: new Date() } });
      await tx.outboxEvent.create({
        data: outboxRow({
          type: "payments.routes_changed",
          aggregateId: "payment_route",
          payload: { version: version + 1, previousVersion: version, changedBy: staffId, rules: rules.map(ruleJson), previousRules: previous.map(ruleJson) },
        }),
      });
    });
    this.log.info({ staffId, rules: rules.length }, "payment routes replaced");
    this.publishOutbox();
    return this.view();
  }

  private rowOf(r: RouteRule, position: number) {
    return {
      position,
      method: r.method,
      currencies: [...(r.currencies ?? [])],
      countries: [...(r.countries ?? [])],
      minMinor: r.minMinor ?? null,
      maxMinor: r.maxMinor ?? null,
      riskLevels: [...(r.riskLevels ?? [])],
      psps: [...r.psps],
      weights: [...(r.weights ?? [])],
    };
  }
}

/** A fixed list of rules (tests of the services without a database table). */
export const fixedRoutes = (rules: readonly RouteRule[]): RoutesPort => ({ rules: async () => rules });
