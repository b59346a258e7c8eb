import { randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { LaunchSessions, tokenHash } from "../../src/launch/sessions.ts";
import { gamesService } from "../../src/service.ts";

/**
 * Token resolution as the RGS layer relies on it on every callback (one raw statement): the session,
 * its game and provider codes, and expiry judged by the given clock, including a session ended early.
 */
let games: TestService<PrismaClient>;
let providerId: string;
let gameId: string;
let clock = new Date("2026-11-29T12:00:00.000Z");
let sessions: LaunchSessions;

beforeAll(async () => {
  games = await startTestService(gamesService);
  const sql = games.runtime.db.sql;
  providerId = randomUUID();
  gameId = randomUUID();
  await sql.query(`INSERT INTO provider (id, code, name, integration, protocol, enabled, updated_at) VALUES ($1::uuid, 'tok-studio', 'Tok Studio', 'AGGREGATOR', 'hub88', true, now())`, [providerId]);
  await sql.query(
    `INSERT INTO game (id, provider_id, code, name, type, rtp_basis_points, volatility, min_stake_minor, max_stake_minor, stake_currency, jurisdictions, categories, enabled, updated_at)
     VALUES ($1::uuid, $2::uuid, 'tok-slot', 'Tok Slot', 'SLOT', 9600, 'MEDIUM', 10, 500, 'GBP', '{GB}', '{slots}', true, now())`,
    [gameId, providerId],
  );
  sessions = new LaunchSessions(games.runtime.prisma, sql, () => clock);
});
afterAll(async () => {
  await games.stop();
});

const open = (playerId: string, mode: "REAL" | "DEMO" = "REAL") =>
  sessions.open({ playerId, gameId, providerId, mode, currency: "EUR", jurisdiction: "MT", minimumGameCycleMs: 2_500, demoBalanceMinor: mode === "DEMO" ? 500_000n : null, ttlSeconds: 600 });

describe("LaunchSessions.resolve", () => {
  it("gives the session of a token with its game and provider codes; only the token's hash is stored", async () => {
    const playerId = randomUUID();
    const opened = await open(playerId, "DEMO");
    const view = await sessions.resolve(opened.token);
    expect(view).toEqual({
      id: opened.id,
      playerId,
      gameId,
      gameCode: "tok-slot",
      providerId,
      providerCode: "tok-studio",
      mode: "DEMO",
      currency: "EUR",
      jurisdiction: "MT",
      expiresAt: opened.expiresAt,
      expired: false,
    });
    const [row] = await games.runtime.db.sql.query<{ token_hash: string }>(`SELECT token_hash FROM launch_session WHERE id = $1::uuid`, [opened.id]);
    expect(row!.token_hash).toBe(tokenHash(opened.token));
  });

  it("answers null for a token never issued, an empty or an oversized one", async () => {
    await open(randomUUID());
    expect(await sessions.resolve("never-issued-token")).toBeNull();
    expect(await sessions.resolve("")).toBeNull();
    expect(await sessions.resolve("x".repeat(257))).toBeNull();
  });

  it("marks a session expired once its clock passes expiresAt, and at once when it was ended", async () => {
    const opened = await open(randomUUID());
    expect((await sessions.resolve(opened.token))!.expired).toBe(false);
    const saved = clock;
    try {
      clock = new Date(opened.expiresAt.getTime() - 1);
      expect((await sessions.resolve(opened.token))!.expired).toBe(false);
      clock = new Date(opened.expiresAt.getTime());
      expect((await sessions.resolve(opened.token))!.expired).toBe(true);
    } finally {
      clock = saved;
    }
    await games.runtime.db.sql.query(`UPDATE launch_session SET ended_at = $2::timestamptz WHERE id = $1::uuid`, [opened.id, clock.toISOString()]);
    const ended = await sessions.resolve(opened.token);
    expect(ended!.expired).toBe(true);
    expect(ended!.id).toBe(opened.id);
  });
});
