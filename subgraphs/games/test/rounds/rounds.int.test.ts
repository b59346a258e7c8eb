import { randomUUID } from "node:crypto";
import { evaluateSpin, fiveCrowns } from "../../src/proprietary/slot/index.ts";
import { RoundService, stakeKey } from "../../src/rounds/rounds.ts";
import { cashOf, fundedPlayer, startRoundsHarness, type RoundsHarness } from "./support.ts";

/**
 * Launches and rounds of the proprietary games against the real wallet service (money moves through
 * its internal API) and a compliance double whose answers each test sets.
 */
let h: RoundsHarness;
let admin: string;
let slotId: string;
let rouletteId: string;
let disabledId: string;
let usOnlyId: string;

const LAUNCH = `mutation($g: ID!, $m: LaunchMode!) { launchGame(gameId: $g, mode: $m) { url token session { id mode currency jurisdiction minimumGameCycleMs state { rounds } } } }`;
const ROUND_FIELDS = `id status stake { amount currency } win { amount currency } celebrate outcome bet gameVersion cancelReason state { staked { amount } won { amount } netPosition { amount } rounds demoBalance { amount } sessionSeconds }`;
const SPIN = `mutation($i: SpinSlotInput!) { spinSlot(input: $i) { ${ROUND_FIELDS} } }`;
const ROULETTE = `mutation($i: PlayRouletteInput!) { playRoulette(input: $i) { ${ROUND_FIELDS} } }`;
const ROUND = `query($id: ID!) { gameRound(id: $id) { id status } }`;

interface RoundView {
  id: string;
  status: string;
  stake: { amount: string };
  win: { amount: string };
  celebrate: boolean;
  outcome: string;
  bet: string;
  gameVersion: string;
  cancelReason: string | null;
  state: { staked: { amount: string }; won: { amount: string }; netPosition: { amount: string }; rounds: number; demoBalance: { amount: string } | null; sessionSeconds: number };
}

async function upsertGame(providerId: string, code: string, type: string, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await h.games.graphql<{ upsertGame: { id: string } }>(
    `mutation($i: GameInput!) { upsertGame(input: $i) { id } }`,
    {
      i: {
        providerId,
        code,
        name: code,
        type,
        rtpBasisPoints: 9600,
        volatility: "MEDIUM",
        minStake: { amount: "0.10", currency: "GBP" },
        maxStake: { amount: "5.00", currency: "GBP" },
        jurisdictions: ["GB"],
        ...overrides,
      },
    },
    admin,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.upsertGame.id;
}

beforeAll(async () => {
  h = await startRoundsHarness();
  admin = await h.games.tokens.staff(["admin"]);
  const provider = await h.games.graphql<{ upsertProvider: { id: string } }>(
    `mutation { upsertProvider(input: { code: "casino-originals", name: "Casino Originals", integration: PROPRIETARY }) { id } }`,
    {},
    admin,
  );
  expect(provider.errors).toBeUndefined();
  const providerId = provider.data!.upsertProvider.id;
  slotId = await upsertGame(providerId, "five-crowns", "SLOT");
  rouletteId = await upsertGame(providerId, "european-roulette", "ROULETTE", { maxStake: { amount: "100.00", currency: "GBP" } });
  disabledId = await upsertGame(providerId, "retired-slot", "SLOT", { enabled: false });
  usOnlyId = await upsertGame(providerId, "nj-slot", "SLOT", { jurisdictions: ["US"] });
});
afterAll(async () => {
  await h.stop();
});

async function launch(playerId: string, gameId = slotId, mode = "REAL") {
  const res = await h.games.graphql<{ launchGame: { url: string; token: string; session: { id: string; mode: string; currency: string; jurisdiction: string; minimumGameCycleMs: number } } }>(
    LAUNCH,
    { g: gameId, m: mode },
    await h.games.tokens.player(playerId),
  );
  return res;
}

async function launched(playerId: string, gameId = slotId, mode = "REAL"): Promise<string> {
  const res = await launch(playerId, gameId, mode);
  expect(res.errors).toBeUndefined();
  return res.data!.launchGame.session.id;
}

async function spin(playerId: string, sessionId: string, lineBet = "0.01", idempotencyKey = `spin-${randomUUID()}`) {
  return h.games.graphql<{ spinSlot: RoundView }>(SPIN, { i: { sessionId, lineBet: { amount: lineBet, currency: "GBP" }, idempotencyKey } }, await h.games.tokens.player(playerId));
}

/** Reel stops whose base spin pays `wanted` (> 0) or nothing, without free spins. */
function stopsPaying(wanted: "win" | "loss"): number[] {
  for (let a = 0; a < fiveCrowns.lengths[0]!; a++) {
    for (let b = 0; b < fiveCrowns.lengths[1]!; b += 3) {
      const stops = [a, b, 5, 7, 11];
      const outcome = evaluateSpin(fiveCrowns, stops);
      if (outcome.freeSpinsAwarded > 0) continue;
      if (wanted === "win" ? outcome.win > 0 : outcome.win === 0) return stops;
    }
  }
  throw new Error(`no ${wanted} stops found`);
}

const roundsOf = (playerId: string) => h.games.runtime.prisma.gameRound.findMany({ where: { playerId }, orderBy: { openedAt: "asc" } });
const ledgerOf = (playerId: string) => h.wallet.runtime.prisma.ledgerTransaction.findMany({ where: { playerId }, orderBy: { seq: "asc" }, select: { type: true, amount: true, idempotencyKey: true } });

describe("launchGame", () => {
  it("opens a REAL session with the rules compliance gave, and a launch URL of our game client", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const res = await launch(playerId);
    expect(res.errors).toBeUndefined();
    const { url, token, session } = res.data!.launchGame;
    expect(session).toMatchObject({ mode: "REAL", currency: "GBP", jurisdiction: "GB", minimumGameCycleMs: 2500 });
    expect(url).toBe(`/play/five-crowns?session=${session.id}&mode=real`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = await h.games.runtime.prisma.launchSession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.tokenHash).not.toContain(token);
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["a disabled game", () => disabledId, "GAME_NOT_AVAILABLE"],
    ["a game not licensed in the player's jurisdiction", () => usOnlyId, "GAME_NOT_AVAILABLE"],
    ["an unknown game", () => randomUUID(), "NOT_FOUND"],
    ["a game id that is no id", () => "five-crowns", "BAD_USER_INPUT"],
  ])("refuses %s and opens nothing", async (_name, gameId, code) => {
    const playerId = await fundedPlayer(h, 0n);
    const res = await launch(playerId, gameId());
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    expect(await h.games.runtime.prisma.launchSession.count({ where: { playerId } })).toBe(0);
  });

  it("refuses a player compliance does not let play (DEMO too: UKGC verification covers free play)", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    h.compliance.refusals.set(playerId, ["SELF_EXCLUDED"]);
    for (const mode of ["REAL", "DEMO"]) {
      const res = await launch(playerId, slotId, mode);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "PLAY_NOT_ALLOWED", reasons: ["SELF_EXCLUDED"] });
    }
    expect(await h.games.runtime.prisma.launchSession.count({ where: { playerId } })).toBe(0);
  });

  it("answers SERVICE_UNAVAILABLE when compliance cannot be asked (fail closed)", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    h.compliance.unavailable = true;
    try {
      const res = await launch(playerId);
      expect(res.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      h.compliance.unavailable = false;
    }
  });

  it("is for players only", async () => {
    const res = await h.games.graphql(LAUNCH, { g: slotId, m: "REAL" }, admin);
    expect(res.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anonymous = await h.games.graphql(LAUNCH, { g: slotId, m: "REAL" });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("slot rounds with real money", () => {
  it("debits the stake and credits the win through the wallet, and records every draw", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    const stops = stopsPaying("win");
    const expectedWin = BigInt(evaluateSpin(fiveCrowns, stops).win) * 2n; // line bet 0.02
    h.nextDraws.push(stops);
    const res = await spin(playerId, sessionId, "0.02");
    expect(res.errors).toBeUndefined();
    const round = res.data!.spinSlot;
    expect(round).toMatchObject({ status: "SETTLED", stake: { amount: "0.20" }, win: { amount: (Number(expectedWin) / 100).toFixed(2) }, celebrate: expectedWin > 20n });
    expect(round.gameVersion).toMatch(/^five-crowns@/);
    const outcome = JSON.parse(round.outcome) as { base: { stops: number[] }; draws: Array<{ range: number; value: number }> };
    expect(outcome.base.stops).toEqual(stops);
    expect(outcome.draws.map((d) => [d.range, d.value])).toEqual(stops.map((s, reel) => [fiveCrowns.lengths[reel], s]));
    expect(await cashOf(h, playerId)).toBe(1000n - 20n + expectedWin);
    expect(await ledgerOf(playerId)).toEqual([
      expect.objectContaining({ type: "DEPOSIT" }),
      { type: "STAKE", amount: -20n, idempotencyKey: stakeKey(round.id) },
      expect.objectContaining({ type: "WIN", amount: expectedWin }),
    ]);
    expect(round.state).toMatchObject({ staked: { amount: "0.20" }, won: { amount: (Number(expectedWin) / 100).toFixed(2) }, rounds: 1, demoBalance: null });
    const events = await h.games.runtime.prisma.outboxEvent.findMany({ where: { aggregateId: round.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.type, e.liveTopic, e.playerId])).toEqual([
      ["games.round_opened", "gameStateChanged", playerId],
      ["games.round_outcome", "gameStateChanged", playerId],
      ["games.round_settled", "gameStateChanged", playerId],
    ]);
  });

  it("returns the first round for a replayed key and refuses the key with another bet", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    h.nextDraws.push(stopsPaying("loss"));
    const first = await spin(playerId, sessionId, "0.01", "replayed-key-1");
    expect(first.errors).toBeUndefined();
    const again = await spin(playerId, sessionId, "0.01", "replayed-key-1");
    expect(again.data?.spinSlot.id).toBe(first.data!.spinSlot.id);
    const other = await spin(playerId, sessionId, "0.02", "replayed-key-1");
    expect(other.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await cashOf(h, playerId)).toBe(990n);
    expect(await roundsOf(playerId)).toHaveLength(1);
  });

  it("enforces the 2.5 s minimum slot cycle across all of a player's sessions (RTS 14), moving no money", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const one = await launched(playerId);
    const two = await launched(playerId);
    expect((await spin(playerId, one)).errors).toBeUndefined();
    h.clock.advance(2_400);
    for (const sessionId of [one, two]) {
      const early = await spin(playerId, sessionId);
      expect(early.errors?.[0]?.extensions).toMatchObject({ code: "GAME_CYCLE_TOO_SOON", retryAfterMs: 100, minimumGameCycleMs: 2500 });
    }
    expect(await roundsOf(playerId)).toHaveLength(1);
    expect(await cashOf(h, playerId)).toBe(990n);
    h.clock.advance(100);
    expect((await spin(playerId, two)).errors).toBeUndefined();
    expect(await roundsOf(playerId)).toHaveLength(2);
  });

  it("lets exactly one of many simultaneous spins of a player through, and makes one round of a key sent many times at once", async () => {
    const playerId = await fundedPlayer(h, 10_000n);
    const sessionId = await launched(playerId);
    const racing = await Promise.all(Array.from({ length: 8 }, () => spin(playerId, sessionId)));
    expect(racing.filter((r) => !r.errors)).toHaveLength(1);
    expect(racing.filter((r) => r.errors?.[0]?.extensions?.code === "GAME_CYCLE_TOO_SOON")).toHaveLength(7);
    h.clock.advance(2_500);
    const same = await Promise.all(Array.from({ length: 8 }, () => spin(playerId, sessionId, "0.01", "one-key-many-times")));
    expect(new Set(same.map((r) => r.data?.spinSlot.id))).toEqual(new Set([same[0]!.data!.spinSlot.id]));
    expect(await roundsOf(playerId)).toHaveLength(2);
    expect(await cashOf(h, playerId)).toBe(10_000n - 20n + (await roundsOf(playerId)).reduce((sum, r) => sum + r.winMinor, 0n));
  });

  it("cancels a round the wallet refuses for lack of funds, moves nothing and gives the cycle back", async () => {
    const playerId = await fundedPlayer(h, 15n);
    const sessionId = await launched(playerId);
    const res = await spin(playerId, sessionId, "0.02");
    expect(res.errors?.[0]?.extensions?.code).toBe("INSUFFICIENT_FUNDS");
    const [round] = await roundsOf(playerId);
    expect(round).toMatchObject({ status: "CANCELLED", cancelReason: "INSUFFICIENT_FUNDS" });
    expect(await cashOf(h, playerId)).toBe(15n);
    // No waiting: the refused round did not use up the game cycle.
    expect((await spin(playerId, sessionId, "0.01")).errors).toBeUndefined();
  });

  it.each([
    ["a stake under the game's minimum", "0.001", "BAD_USER_INPUT"],
    ["a stake over the game's maximum", "0.60", "BAD_USER_INPUT"],
    ["a negative line bet", "-0.01", "BAD_USER_INPUT"],
  ])("refuses %s with no round and no money moved", async (_name, lineBet, code) => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    const res = await spin(playerId, sessionId, lineBet);
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    expect(await roundsOf(playerId)).toHaveLength(0);
    expect(await cashOf(h, playerId)).toBe(1000n);
  });

  it("asks compliance on every round: a stake limit or a self-exclusion set mid-session stops the next spin", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    h.compliance.maxSlotStake.set(playerId, 200n);
    const over = await spin(playerId, sessionId, "0.30"); // 3.00 GBP > 2.00 GBP (ages 18-24)
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: "STAKE_LIMIT_EXCEEDED", maxStakeMinor: "200" });
    h.compliance.refusals.set(playerId, ["SELF_EXCLUDED"]);
    const excluded = await spin(playerId, sessionId, "0.01");
    expect(excluded.errors?.[0]?.extensions).toMatchObject({ code: "PLAY_NOT_ALLOWED", reasons: ["SELF_EXCLUDED"] });
    expect(await roundsOf(playerId)).toHaveLength(0);
    expect(await cashOf(h, playerId)).toBe(1000n);
  });

  it("commits nothing of a round before compliance answers, and nothing at all when the answer is a refusal", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    let release!: () => void;
    h.compliance.held.set(playerId, new Promise<void>((resolve) => (release = resolve)));
    const pending = spin(playerId, sessionId, "0.01");
    // Long enough for the round's opening statement to have run (on PostgreSQL it runs while the
    // answer is awaited, inside a transaction that only an allowing answer commits).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.compliance.calls.filter((c) => c.kind === "stake" && c.playerId === playerId)).toHaveLength(1);
    expect(await roundsOf(playerId)).toHaveLength(0);
    expect(await h.games.runtime.prisma.outboxEvent.count({ where: { playerId } })).toBe(0);
    h.compliance.refusals.set(playerId, ["SELF_EXCLUDED"]);
    release();
    const refused = await pending;
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "PLAY_NOT_ALLOWED", reasons: ["SELF_EXCLUDED"] });
    expect(await roundsOf(playerId)).toHaveLength(0);
    expect(await h.games.runtime.prisma.outboxEvent.count({ where: { playerId } })).toBe(0);
    expect(await cashOf(h, playerId)).toBe(1000n);
    // The refused round did not take the player's game cycle: the next spin may start at once.
    h.compliance.held.delete(playerId);
    h.compliance.refusals.delete(playerId);
    const next = await spin(playerId, sessionId, "0.01");
    expect(next.errors).toBeUndefined();
    expect(await roundsOf(playerId)).toHaveLength(1);
  });

  it("opens the round after the answer when compliance answers later than the opening transaction may wait", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    let release!: () => void;
    h.compliance.held.set(playerId, new Promise<void>((resolve) => (release = resolve)));
    const pending = spin(playerId, sessionId, "0.01");
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the harness's 1 s hold
    expect(await roundsOf(playerId)).toHaveLength(0);
    release();
    const played = await pending;
    expect(played.errors).toBeUndefined();
    const rounds = await roundsOf(playerId);
    expect(rounds).toHaveLength(1);
    expect(rounds[0]).toMatchObject({ id: played.data!.spinSlot.id, status: "SETTLED", stakeMinor: 10n });
    expect(await cashOf(h, playerId)).toBe(1000n - 10n + rounds[0]!.winMinor);
    const opened = await h.games.runtime.prisma.outboxEvent.count({ where: { aggregateId: rounds[0]!.id, type: "games.round_opened" } });
    expect(opened).toBe(1);
  });

  it("answers a replay with its round even once the player is excluded, and times what the check adds to a bet", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    const first = await spin(playerId, sessionId, "0.01", "replay-after-exclusion");
    expect(first.errors).toBeUndefined();
    h.compliance.refusals.set(playerId, ["SELF_EXCLUDED"]);
    const replay = await spin(playerId, sessionId, "0.01", "replay-after-exclusion");
    expect(replay.data?.spinSlot.id).toBe(first.data!.spinSlot.id);
    const metrics = await (await fetch(h.games.url.replace(/\/graphql$/, "/metrics"))).text();
    const count = (name: string) => Number(new RegExp(`^${name}_count\\{[^}]*\\} (\\d+)`, "m").exec(metrics)?.[1]);
    expect(count("games_round_compliance_wait_seconds")).toBeGreaterThan(0);
    expect(count("games_round_compliance_check_seconds")).toBeGreaterThanOrEqual(count("games_round_compliance_wait_seconds"));
  });

  it("does not let a player play or see another player's session or rounds", async () => {
    const owner = await fundedPlayer(h, 1000n);
    const intruder = await fundedPlayer(h, 1000n);
    const sessionId = await launched(owner);
    const played = await spin(owner, sessionId);
    expect(played.errors).toBeUndefined();
    const res = await spin(intruder, sessionId);
    expect(res.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const peek = await h.games.graphql<{ gameRound: unknown }>(ROUND, { id: played.data!.spinSlot.id }, await h.games.tokens.player(intruder));
    expect(peek.data?.gameRound).toBeNull();
    const support = await h.games.graphql<{ gameRound: { id: string } }>(ROUND, { id: played.data!.spinSlot.id }, await h.games.tokens.staff(["support"]));
    expect(support.data?.gameRound.id).toBe(played.data!.spinSlot.id);
    expect(await cashOf(h, intruder)).toBe(1000n);
  });

  it("refuses rounds in an ended or expired session", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    const ended = await h.games.graphql(`mutation($s: ID!) { endGameSession(sessionId: $s) { endedAt } }`, { s: sessionId }, await h.games.tokens.player(playerId));
    expect(ended.errors).toBeUndefined();
    expect((await spin(playerId, sessionId)).errors?.[0]?.extensions?.code).toBe("SESSION_EXPIRED");
    const other = await launched(playerId);
    h.clock.advance(4 * 3_600_000 + 1);
    expect((await spin(playerId, other)).errors?.[0]?.extensions?.code).toBe("SESSION_EXPIRED");
    expect(await cashOf(h, playerId)).toBe(1000n);
  });
});

describe("roulette and demo play", () => {
  it("settles roulette bets on the drawn pocket with the 5 s cycle of other casino games", async () => {
    const playerId = await fundedPlayer(h, 10_000n);
    const sessionId = await launched(playerId, rouletteId);
    h.nextDraws.push([17]);
    const bets = [
      { kind: "STRAIGHT", numbers: [17], stake: { amount: "1.00", currency: "GBP" } },
      { kind: "RED", stake: { amount: "2.00", currency: "GBP" } },
      { kind: "DOZEN", index: 2, stake: { amount: "1.50", currency: "GBP" } },
    ];
    const token = await h.games.tokens.player(playerId);
    const res = await h.games.graphql<{ playRoulette: RoundView }>(ROULETTE, { i: { sessionId, bets, idempotencyKey: `r-${randomUUID()}` } }, token);
    expect(res.errors).toBeUndefined();
    // 17 is black: the straight pays 35:1 (36.00 back), red loses, the second dozen pays 2:1 (4.50 back).
    expect(res.data!.playRoulette).toMatchObject({ status: "SETTLED", stake: { amount: "4.50" }, win: { amount: "40.50" }, celebrate: true });
    expect(JSON.parse(res.data!.playRoulette.outcome)).toMatchObject({ winningNumber: 17 });
    expect(await cashOf(h, playerId)).toBe(10_000n - 450n + 4_050n);
    h.clock.advance(4_000);
    const early = await h.games.graphql(ROULETTE, { i: { sessionId, bets: [bets[1]], idempotencyKey: `r-${randomUUID()}` } }, token);
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: "GAME_CYCLE_TOO_SOON", minimumGameCycleMs: 5000 });
    const invalid = await h.games.graphql(ROULETTE, { i: { sessionId, bets: [{ kind: "SPLIT", numbers: [1, 5], stake: { amount: "1.00", currency: "GBP" } }], idempotencyKey: `r-${randomUUID()}` } }, token);
    expect(invalid.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("plays DEMO rounds with play money and never touches the wallet", async () => {
    const playerId = await fundedPlayer(h, 500n);
    const sessionId = await launched(playerId, slotId, "DEMO");
    h.nextDraws.push(stopsPaying("loss"));
    const res = await spin(playerId, sessionId, "0.05");
    expect(res.errors).toBeUndefined();
    expect(res.data!.spinSlot).toMatchObject({ status: "SETTLED", stake: { amount: "0.50" }, win: { amount: "0.00" }, celebrate: false });
    expect(res.data!.spinSlot.state).toMatchObject({ demoBalance: { amount: "999.50" }, netPosition: { amount: "-0.50" }, rounds: 1 });
    expect(await ledgerOf(playerId)).toHaveLength(1); // the deposit only
  });
});

describe("recovery of rounds a crash or an outage left open", () => {
  it("voids a stake whose answer was lost, so the player gets it back, and cancels the round", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    h.lossy.loseAnswersOf.add("STAKE");
    try {
      const res = await spin(playerId, sessionId, "0.05");
      expect(res.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      h.lossy.loseAnswersOf.delete("STAKE");
    }
    const [open] = await roundsOf(playerId);
    expect(open).toMatchObject({ status: "OPEN", stakeTxId: null });
    expect(await cashOf(h, playerId)).toBe(950n); // the stake did reach the wallet
    expect(await h.games.runtime.prisma.gameRound.count({ where: { id: open!.id, status: "OPEN" } })).toBe(1);
    h.clock.advance(31_000);
    const swept = await sweep();
    expect(swept.cancelled).toBeGreaterThanOrEqual(1);
    expect(await h.games.runtime.prisma.gameRound.findUniqueOrThrow({ where: { id: open!.id } })).toMatchObject({ status: "CANCELLED", cancelReason: "RECOVERED_STAKE_VOIDED" });
    expect(await cashOf(h, playerId)).toBe(1000n);
    expect((await ledgerOf(playerId)).map((t) => t.type)).toEqual(["DEPOSIT", "STAKE", "ROLLBACK"]);
  });

  it("credits the win of a round whose stake was confirmed, and settles it", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    const stops = stopsPaying("win");
    const expectedWin = BigInt(evaluateSpin(fiveCrowns, stops).win);
    h.nextDraws.push(stops);
    h.lossy.loseAnswersOf.add("WIN");
    h.lossy.down = false;
    try {
      const res = await spin(playerId, sessionId, "0.01");
      expect(res.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      h.lossy.loseAnswersOf.delete("WIN");
    }
    const [open] = await roundsOf(playerId);
    expect(open).toMatchObject({ status: "OPEN", stakeTxId: expect.any(String) });
    h.clock.advance(31_000);
    await sweep();
    expect(await h.games.runtime.prisma.gameRound.findUniqueOrThrow({ where: { id: open!.id } })).toMatchObject({ status: "SETTLED" });
    // The win was posted once, though both the lost attempt and the recovery sent it.
    expect((await ledgerOf(playerId)).map((t) => t.type)).toEqual(["DEPOSIT", "STAKE", "WIN"]);
    expect(await cashOf(h, playerId)).toBe(1000n - 10n + expectedWin);
  });

  it("voids the stake of a round whose stake never reached the wallet, and bars its late arrival", async () => {
    const playerId = await fundedPlayer(h, 1000n);
    const sessionId = await launched(playerId);
    h.lossy.down = true;
    try {
      expect((await spin(playerId, sessionId, "0.01")).errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      h.lossy.down = false;
    }
    const [open] = await roundsOf(playerId);
    h.clock.advance(31_000);
    await sweep();
    expect(await h.games.runtime.prisma.gameRound.findUniqueOrThrow({ where: { id: open!.id } })).toMatchObject({ status: "CANCELLED" });
    // A stake request still in flight from before the crash is refused by the tombstone.
    await expect(h.lossy.client.post({ type: "STAKE", playerId, currency: "GBP", amount: "10", idempotencyKey: stakeKey(open!.id), counterRef: "casino-originals" })).rejects.toMatchObject({
      code: "TRANSACTION_ROLLED_BACK",
    });
    expect(await cashOf(h, playerId)).toBe(1000n);
  });
});

/** Recovery as a restarted games process runs it: a new RoundService over the same database and wallet. */
function sweep() {
  const restarted = new RoundService({ prisma: h.games.runtime.prisma, sql: h.games.runtime.db.sql, wallet: h.lossy, compliance: h.compliance, publishOutbox: () => undefined, log: h.games.runtime.log, now: () => h.clock.now, recoverAfterSeconds: 30 });
  return restarted.recover();
}
