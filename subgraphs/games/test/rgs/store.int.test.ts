import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "@casino/kernel/db/sql";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { LaunchSessions, sessionViewOf, tokenHash } from "../../src/launch/sessions.ts";
import { walletKeyOf } from "../../src/rgs/service.ts";
import { RgsStore, type PlannedTransaction, type SessionGate } from "../../src/rgs/store.ts";
import { gamesService } from "../../src/service.ts";

/**
 * The RGS store's reads and writes of a fresh request against the games database: a launch session
 * as issued by launchGame, read by its token's hash, and claimFresh, which claims a request's ids in
 * the statement that reads its session only when the ids are unknown and the session allows it.
 */
let games: TestService<PrismaClient>;
let store: RgsStore;
let sessions: LaunchSessions;
let providerId: string;
let otherProviderId: string;
let gameId: string;
const clock = new Date();

async function provider(code: string): Promise<string> {
  const id = randomUUID();
  await games.runtime.db.sql.query(`INSERT INTO provider (id, code, name, integration, protocol, enabled, updated_at) VALUES ($1::uuid, $2, $2, 'AGGREGATOR', 'hub88', true, now())`, [id, code]);
  return id;
}

async function game(provider: string, code: string): Promise<string> {
  const id = randomUUID();
  await games.runtime.db.sql.query(
    `INSERT INTO game (id, provider_id, code, name, type, rtp_basis_points, volatility, min_stake_minor, max_stake_minor, stake_currency, jurisdictions, categories, enabled, updated_at)
     VALUES ($1::uuid, $2::uuid, $3, $3, 'SLOT', 9600, 'MEDIUM', 10, 500, 'GBP', '{GB}', '{slots}', true, now())`,
    [id, provider, code],
  );
  return id;
}

beforeAll(async () => {
  games = await startTestService(gamesService);
  store = new RgsStore(games.runtime.db.sql);
  sessions = new LaunchSessions(games.runtime.prisma, () => clock);
  providerId = await provider("store-studio");
  otherProviderId = await provider("store-other");
  gameId = await game(providerId, "store-slot");
  await game(providerId, "store-other-slot");
});
afterAll(async () => {
  await games.stop();
});

const open = (playerId: string, over: { mode?: "REAL" | "DEMO"; provider?: string; game?: string; currency?: string; ttlSeconds?: number } = {}) =>
  sessions.open({
    playerId,
    gameId: over.game ?? gameId,
    providerId: over.provider ?? providerId,
    mode: over.mode ?? "REAL",
    currency: over.currency ?? "GBP",
    jurisdiction: "GB",
    minimumGameCycleMs: 2_500,
    demoBalanceMinor: over.mode === "DEMO" ? 500_000n : null,
    ttlSeconds: over.ttlSeconds ?? 600,
  });

function planned(playerId: string, kind: "BET" | "WIN" = "BET"): PlannedTransaction[] {
  const externalId = randomUUID();
  return [
    {
      externalId,
      seq: 0,
      kind,
      requestHash: `hash-${externalId}`,
      playerId,
      currency: "GBP",
      amountMinor: 100n,
      free: false,
      roundId: "r-1",
      gameCode: "store-slot",
      refExternalId: null,
      walletKey: walletKeyOf("store-studio", externalId),
      refWalletKey: null,
    },
  ];
}

const gate = (playerId: string, token: string | null, over: Partial<SessionGate> = {}): SessionGate => ({
  tokenHash: token === null ? null : tokenHash(token),
  playerId,
  bet: true,
  currency: "GBP",
  gameCode: "store-slot",
  now: clock,
  ...over,
});

const claimFresh = (plan: PlannedTransaction[], g: SessionGate) => store.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, plan, g);

describe("launch sessions read by token", () => {
  it("gives the session with its game and provider codes, the same from a row and from its JSON", async () => {
    const playerId = randomUUID();
    const opened = await open(playerId, { mode: "DEMO", currency: "EUR" });
    const row = await store.session(tokenHash(opened.token));
    const view = sessionViewOf(row!, clock);
    expect(view).toEqual({
      id: opened.id,
      playerId,
      gameId,
      gameCode: "store-slot",
      providerId,
      providerCode: "store-studio",
      mode: "DEMO",
      currency: "EUR",
      jurisdiction: "GB",
      expiresAt: opened.expiresAt,
      expired: false,
    });
    // claimFresh returns the session through row_to_json: timestamps as text.
    expect(sessionViewOf(JSON.parse(JSON.stringify(row)), clock)).toEqual(view);
    expect(await store.session(tokenHash("never-issued"))).toBeNull();
  });

  it("is expired once the clock reaches expiresAt, and at once when ended", async () => {
    const opened = await open(randomUUID());
    const row = (await store.session(tokenHash(opened.token)))!;
    expect(sessionViewOf(row, new Date(opened.expiresAt.getTime() - 1)).expired).toBe(false);
    expect(sessionViewOf(row, opened.expiresAt).expired).toBe(true);
    await games.runtime.db.sql.query(`UPDATE launch_session SET ended_at = now() WHERE id = $1::uuid`, [opened.id]);
    expect(sessionViewOf((await store.session(tokenHash(opened.token)))!, clock).expired).toBe(true);
  });
});

describe("claimFresh", () => {
  it("claims unknown ids with a session that allows the bet, and returns that session", async () => {
    const playerId = randomUUID();
    const { token, id } = await open(playerId);
    const plan = planned(playerId);
    const fresh = await claimFresh(plan, gate(playerId, token));
    expect(fresh).toMatchObject({ attempted: true, claimed: [plan[0]!.externalId] });
    expect(fresh.session?.id).toBe(id);
    expect((await store.find(providerId, [plan[0]!.externalId]))[0]).toMatchObject({ attemptState: "STARTED", outcome: null, leaseLive: true });
  });

  it("writes nothing for ids already recorded, with or without the same session", async () => {
    const playerId = randomUUID();
    const { token } = await open(playerId);
    const plan = planned(playerId);
    expect((await claimFresh(plan, gate(playerId, token))).attempted).toBe(true);
    const again = await claimFresh(plan, gate(playerId, token));
    expect(again).toMatchObject({ attempted: false, claimed: [] });
    expect(again.session).not.toBeNull();
  });

  it("writes nothing when the session does not allow the request", async () => {
    const playerId = randomUUID();
    const other = randomUUID();
    const real = await open(playerId);
    const demo = await open(playerId, { mode: "DEMO" });
    const otherGame = await open(playerId, { game: (await games.runtime.db.sql.query<{ id: string }>(`SELECT id::text AS id FROM game WHERE code = 'store-other-slot'`))[0]!.id });
    const otherProvider = await open(playerId, { provider: otherProviderId });
    const euro = await open(playerId, { currency: "EUR" });
    const ending = await open(playerId, { ttlSeconds: 60 });
    const ended = await open(playerId);
    await games.runtime.db.sql.query(`UPDATE launch_session SET ended_at = now() WHERE id = $1::uuid`, [ended.id]);
    const before = await games.runtime.db.sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM rgs_attempt`);
    const refused: [string, SessionGate][] = [
      ["unknown token", gate(playerId, "never-issued")],
      ["no token for a bet", gate(playerId, null)],
      ["another player's", gate(other, real.token)],
      ["a demo session", gate(playerId, demo.token)],
      ["another game's session", gate(playerId, otherGame.token)],
      ["another provider's session", gate(playerId, otherProvider.token)],
      ["another currency", gate(playerId, euro.token)],
      ["expired at the clock", gate(playerId, ending.token, { now: new Date(ending.expiresAt.getTime()) })],
      ["ended", gate(playerId, ended.token)],
      ["a win in another currency", gate(playerId, real.token, { bet: false, currency: "EUR" })],
    ];
    for (const [why, g] of refused) {
      const fresh = await claimFresh(planned(g.playerId), g);
      expect({ why, attempted: fresh.attempted, claimed: fresh.claimed }).toEqual({ why, attempted: false, claimed: [] });
    }
    expect(await games.runtime.db.sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM rgs_attempt`)).toEqual(before);
  });

  it("lets a win through without a token, or with an ended, expired, demo or other game's session of the player", async () => {
    const playerId = randomUUID();
    const ended = await open(playerId, { mode: "DEMO" });
    await games.runtime.db.sql.query(`UPDATE launch_session SET ended_at = now() WHERE id = $1::uuid`, [ended.id]);
    for (const g of [gate(playerId, null, { bet: false }), gate(playerId, ended.token, { bet: false, gameCode: "store-other-slot", now: new Date(ended.expiresAt.getTime() + 1) })]) {
      const plan = planned(playerId, "WIN");
      expect(await claimFresh(plan, g)).toMatchObject({ attempted: true, claimed: [plan[0]!.externalId] });
    }
  });
});

describe("group commit of claims and answers", () => {
  /** How the counting store names the group statement (unnamed: planned for each batch). */
  const BATCH = "the batch statement";
  /** A store on the same database whose statements are counted by name, with one statement in flight: all but the first of a burst are batched. */
  function countingStore(): { store: RgsStore; names: string[] } {
    const base = games.runtime.db.sql;
    const names: string[] = [];
    const sql: SqlExecutor = {
      dialect: base.dialect,
      query: (text, params, options) => {
        names.push(options?.name ?? (text.trimStart().startsWith("WITH c AS") ? BATCH : text.slice(0, 40)));
        return base.query(text, params, options);
      },
      exec: (text) => base.exec(text),
      transaction: (fn) => base.transaction(fn),
    };
    return { store: new RgsStore(sql, { maxInFlight: 1, maxBatch: 32 }), names };
  }

  it("gives every claim of a burst what it gets alone, in fewer statements", async () => {
    const { store: batched, names } = countingStore();
    const playerId = randomUUID();
    const real = await open(playerId);
    const demo = await open(playerId, { mode: "DEMO" });
    const ended = await open(playerId);
    await games.runtime.db.sql.query(`UPDATE launch_session SET ended_at = now() WHERE id = $1::uuid`, [ended.id]);
    const cases: [string, SessionGate, boolean][] = [
      ["a bet with its session", gate(playerId, real.token), true],
      ["a bet with an unknown token", gate(playerId, "never-issued"), false],
      ["a bet without a token", gate(playerId, null), false],
      ["a bet with a demo session", gate(playerId, demo.token), false],
      ["a bet with an ended session", gate(playerId, ended.token), false],
      ["a bet in another currency", gate(playerId, real.token, { currency: "EUR" }), false],
      ["a win without a token", gate(playerId, null, { bet: false }), true],
      ["a win with the ended session", gate(playerId, ended.token, { bet: false }), true],
      ["another bet with its session", gate(playerId, real.token), true],
    ];
    const plans = cases.map(([, g]) => planned(playerId, g.bet ? "BET" : "WIN"));
    const results = await Promise.all(cases.map(([, g], i) => batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, plans[i]!, g)));
    cases.forEach(([why, g, allowed], i) => {
      const r = results[i]!;
      expect({ why, attempted: r.attempted, claimed: r.claimed }).toEqual({ why, attempted: allowed, claimed: allowed ? [plans[i]![0]!.externalId] : [] });
      const expectedSession = g.tokenHash === tokenHash(real.token) ? real.id : g.tokenHash === tokenHash(ended.token) ? ended.id : g.tokenHash === tokenHash(demo.token) ? demo.id : null;
      expect({ why, session: r.session?.id ?? null }).toEqual({ why, session: expectedSession });
    });
    // The session comes back as claimFresh alone gives it (row_to_json, nothing more).
    const alone = await store.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, planned(playerId), gate(playerId, real.token));
    expect(results[0]!.session).toEqual(alone.session);
    // The first claim went alone; the other eight waited for it and were written by one statement.
    expect(names).toEqual(["rgs_claim_fresh", BATCH]);
    const rows = await store.find(providerId, plans.flat().map((p) => p.externalId));
    expect(rows.map((r) => r.externalId).sort()).toEqual(plans.filter((_, i) => cases[i]![2]).map((p) => p[0]!.externalId).sort());
    expect(rows.every((r) => r.attemptState === "STARTED" && r.leaseLive && r.outcome === null)).toBe(true);
  });

  it("never puts two claims of one transaction id in one statement: the second finds the first's", async () => {
    const { store: batched, names } = countingStore();
    const playerId = randomUUID();
    const { token } = await open(playerId);
    const plan = planned(playerId);
    const other = planned(playerId);
    const [first, second, third, unrelated] = await Promise.all([
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, other, gate(playerId, token)),
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, plan, gate(playerId, token)),
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, plan, gate(playerId, token)),
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, planned(playerId), gate(playerId, token)),
    ]);
    expect([first!.attempted, second!.attempted, third!.attempted, unrelated!.attempted]).toEqual([true, true, false, true]);
    expect(second!.claimed).toEqual([plan[0]!.externalId]);
    expect(third!.claimed).toEqual([]);
    // Alone, then [second, unrelated] together, then the repeat of the id in a statement of its own.
    expect(names).toEqual(["rgs_claim_fresh", BATCH, "rgs_claim_fresh"]);
  });

  it("writes every answer of a burst, mixed with claims, as finish does alone; another owner's answer writes nothing", async () => {
    const { store: batched, names } = countingStore();
    const playerId = randomUUID();
    const { token } = await open(playerId);
    const attempts = await Promise.all(
      Array.from({ length: 5 }, async (_, i) => {
        const attemptId = randomUUID();
        const owner = randomUUID();
        const plan = planned(playerId, i % 2 === 0 ? "BET" : "WIN");
        expect((await store.claimFresh(attemptId, owner, providerId, 30_000, plan, gate(playerId, token, { bet: i % 2 === 0 }))).attempted).toBe(true);
        return { attemptId, owner, plan };
      }),
    );
    const walletTx = randomUUID();
    const claim = planned(playerId);
    const [blocker, ...rest] = await Promise.all([
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, planned(playerId), gate(playerId, token)),
      batched.finish(attempts[0]!.attemptId, attempts[0]!.owner, "OK", 1_234n, [{ externalId: attempts[0]!.plan[0]!.externalId, walletTransactionId: walletTx }]),
      batched.finish(attempts[1]!.attemptId, attempts[1]!.owner, "INSUFFICIENT_FUNDS", 5n, [{ externalId: attempts[1]!.plan[0]!.externalId, walletTransactionId: null }]),
      batched.finish(attempts[2]!.attemptId, randomUUID(), "OK", 1n, [{ externalId: attempts[2]!.plan[0]!.externalId, walletTransactionId: null }]),
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, claim, gate(playerId, token)),
      batched.finish(attempts[3]!.attemptId, attempts[3]!.owner, "OK", null, [{ externalId: attempts[3]!.plan[0]!.externalId, walletTransactionId: null }]),
    ]);
    expect(blocker!.attempted).toBe(true);
    const [ok, refused, notOwner, claimed, noBalance] = rest as [Map<string, Date> | null, Map<string, Date> | null, Map<string, Date> | null, { attempted: boolean }, Map<string, Date> | null];
    expect(names).toEqual(["rgs_claim_fresh", BATCH]);
    expect([...ok!.keys()]).toEqual([attempts[0]!.plan[0]!.externalId]);
    expect([...refused!.keys()]).toEqual([attempts[1]!.plan[0]!.externalId]);
    expect(notOwner).toBeNull();
    expect(claimed.attempted).toBe(true);
    expect([...noBalance!.keys()]).toEqual([attempts[3]!.plan[0]!.externalId]);
    const byId = new Map((await store.find(providerId, attempts.map((a) => a.plan[0]!.externalId))).map((r) => [r.externalId, r]));
    expect(byId.get(attempts[0]!.plan[0]!.externalId)).toMatchObject({ attemptState: "DONE", refusal: null, outcome: "OK", balanceMinor: 1_234n, walletTransactionId: walletTx, processedAt: ok!.get(attempts[0]!.plan[0]!.externalId) });
    expect(byId.get(attempts[1]!.plan[0]!.externalId)).toMatchObject({ attemptState: "DONE", refusal: "INSUFFICIENT_FUNDS", outcome: "INSUFFICIENT_FUNDS", balanceMinor: 5n, walletTransactionId: null });
    expect(byId.get(attempts[2]!.plan[0]!.externalId)).toMatchObject({ attemptState: "STARTED", outcome: null, leaseLive: true });
    expect(byId.get(attempts[3]!.plan[0]!.externalId)).toMatchObject({ attemptState: "DONE", outcome: "OK", balanceMinor: null });
    expect(byId.get(attempts[4]!.plan[0]!.externalId)).toMatchObject({ attemptState: "STARTED", outcome: null });
  });

  it("makes each write alone when the batch statement fails, so that only the faulty one fails", async () => {
    const { store: batched, names } = countingStore();
    const playerId = randomUUID();
    const { token } = await open(playerId);
    const good = planned(playerId);
    const faulty = planned(playerId);
    faulty[0]!.playerId = "not-a-uuid";
    const [, first, second] = await Promise.allSettled([
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, planned(playerId), gate(playerId, token)),
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, faulty, gate(playerId, token)),
      batched.claimFresh(randomUUID(), randomUUID(), providerId, 30_000, good, gate(playerId, token)),
    ]);
    expect(first!.status).toBe("rejected");
    expect(second).toMatchObject({ status: "fulfilled", value: { attempted: true, claimed: [good[0]!.externalId] } });
    expect(names).toEqual(["rgs_claim_fresh", BATCH, "rgs_claim_fresh", "rgs_claim_fresh"]);
    expect(await store.find(providerId, [faulty[0]!.externalId])).toEqual([]);
  });
});

it("leaves room on each page of rgs_transaction for the answer, so that its update can be HOT (fillfactor 70)", async () => {
  // finish() updates only unindexed columns of the rows claimFresh inserted; with free room on the
  // row's page, PostgreSQL writes no index entries for that update (bench: rgs-cost's HOT share).
  const rows = await games.runtime.db.sql.query<{ relname: string; reloptions: string[] | null }>(
    `SELECT c.relname, c.reloptions FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relname IN ('rgs_transaction', 'rgs_attempt') ORDER BY c.relname`,
  );
  expect(rows).toEqual([
    { relname: "rgs_attempt", reloptions: null },
    { relname: "rgs_transaction", reloptions: ["fillfactor=70"] },
  ]);
});
