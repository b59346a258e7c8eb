/**
 * Chaos: both simulators send at least 10,000 callbacks at once through many rounds and players, with
 * duplicates racing their originals, answers dropped (and the callback retried), rollbacks that
 * overtake their bets. Afterwards the wallet's ledger audit passes, every transaction id got one
 * answer however often it was sent, and every round's money in the wallet is exactly what the
 * simulators' own books say.
 */
import { auditLedger } from "@casino/wallet/ledger/audit";
import {
  Hub88Simulator,
  RoundBook,
  SoftswissSimulator,
  Transport,
  newStats,
  seededRandom,
  type ChaosOptions,
  type Hub88RoundPlan,
  type SoftswissRoundPlan,
} from "@casino/rgs-simulator";
import { HUB88_PARTNER_KEYS, startRgsPlatform, type RgsPlatform } from "./support/platform.ts";

const CALLBACKS = 10_000;
const PLAYERS = 24;
const WORKERS = 16;
const SEED = Number(process.env.RGS_CHAOS_SEED ?? 20261129);

let p: RgsPlatform;
let transport: Transport;

beforeAll(async () => {
  p = await startRgsPlatform();
  transport = new Transport({ connections: 64, timeoutMs: 20_000 });
});
afterAll(async () => {
  await transport.close();
  await p.stop();
});

it(
  "keeps every round's money exactly as the providers' books after 10,000 unreliable callbacks",
  async () => {
    const random = seededRandom(SEED);
    const chaos: ChaosOptions = { duplicateRate: 0.2, dropRate: 0.12, maxAttempts: 30, retryDelayMs: 5, random };
    const stats = newStats();
    const book = new RoundBook();
    const hub88 = new Hub88Simulator({ baseUrl: `${p.rgsUrl}/hub88`, partnerPrivateKeyPem: HUB88_PARTNER_KEYS.privateKeyPem, operatorPublicKeyPem: p.operatorKeys.publicKeyPem, transport });
    const softswiss = new SoftswissSimulator({ baseUrl: `${p.rgsUrl}/softswiss`, secret: p.softswissSecret, transport });

    const players = await Promise.all(Array.from({ length: PLAYERS }, () => p.fundedPlayer(200_000n)));
    const hubTokens = new Map(await Promise.all(players.map(async (u) => [u, await p.session(p.hub88, u)] as const)));
    const ssTokens = new Map(await Promise.all(players.map(async (u) => [u, await p.session(p.softswiss, u)] as const)));
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    let rounds = 0;
    const modes = { hub88: { none: 0, after: 0, before: 0 }, softswiss: { normal: 0, rollbackAfter: 0, rollbackBefore: 0 } };

    const worker = async () => {
      while (stats.sent < CALLBACKS) {
        const n = rounds++;
        const user = pick(players);
        const r = random();
        if (n % 2 === 0) {
          const rollback = r < 0.15 ? "before" : r < 0.3 ? "after" : "none";
          modes.hub88[rollback]++;
          const plan: Hub88RoundPlan = {
            user,
            token: hubTokens.get(user)!,
            gameCode: p.hub88.gameCode,
            currency: "GBP",
            roundId: `h-${n}`,
            betUnits: BigInt(1 + Math.floor(random() * 500)) * 1_000n,
            winUnits: BigInt(Math.floor(random() * 900)) * 1_000n,
            rollback,
            unitsPerMinor: 1_000n,
          };
          await hub88.playRound(plan, book, chaos, stats);
        } else {
          const mode = r < 0.15 ? "rollbackBefore" : r < 0.3 ? "rollbackAfter" : "normal";
          modes.softswiss[mode]++;
          // One batch in twenty stakes more than any balance: refused as a whole.
          const bet = random() < 0.05 ? 10_000_000n : BigInt(1 + Math.floor(random() * 500));
          const plan: SoftswissRoundPlan = { user, session: ssTokens.get(user)!, game: p.softswiss.gameCode, currency: "GBP", roundId: `s-${n}`, bet, win: BigInt(Math.floor(random() * 900)), mode };
          await softswiss.playRound(plan, book, chaos, stats);
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));

    process.stdout.write(`chaos: ${rounds} rounds, ${JSON.stringify(stats)}, modes ${JSON.stringify(modes)}\n`);
    expect(stats.sent).toBeGreaterThanOrEqual(CALLBACKS);
    expect(stats.duplicates).toBeGreaterThan(CALLBACKS / 20);
    expect(stats.dropped).toBeGreaterThan(CALLBACKS / 20);
    expect(modes.hub88.before).toBeGreaterThan(0);
    expect(modes.softswiss.rollbackBefore).toBeGreaterThan(0);
    expect(book.inconsistencies).toEqual([]);

    // The wallet: every chain, posting and balance checks out.
    const audit = await auditLedger(p.wallet.runtime.prisma);
    expect(audit.mismatches).toEqual([]);
    expect(audit.ok).toBe(true);

    // Each round's money as the wallet has it (stakes, wins, rollbacks and reversals of the round).
    const rows = await p.wallet.runtime.db.sql.query<{ round: string; net: bigint }>(
      `SELECT reference->>'roundId' AS round, sum(amount + bonus_amount) AS net FROM ledger_transaction
        WHERE reference->>'provider' IN ('hub88', 'softswiss') GROUP BY 1`,
    );
    const walletNet = new Map(rows.map((r) => [r.round, BigInt(r.net)]));
    const mismatches: string[] = [];
    let moved = 0;
    for (const round of book.roundIds()) {
      const { staked, won } = book.money(round);
      const expected = won - staked;
      const actual = walletNet.get(round) ?? 0n;
      if (expected !== 0n) moved++;
      if (actual !== expected) mismatches.push(`${round}: book ${expected}, wallet ${actual}`);
    }
    for (const round of walletNet.keys()) if (!book.roundIds().includes(round) && walletNet.get(round) !== 0n) mismatches.push(`${round}: not in the books`);
    expect(mismatches).toEqual([]);
    expect(moved).toBeGreaterThan(rounds / 3);

    // No attempt was left unfinished.
    const [open] = await p.games.runtime.db.sql.query<{ n: bigint }>(`SELECT count(*) AS n FROM rgs_attempt WHERE state <> 'DONE'`);
    expect(Number(open!.n)).toBe(0);
  },
  20 * 60_000,
);
