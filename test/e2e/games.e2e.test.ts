import { randomUUID } from "node:crypto";
import { collect, gql, until, wsClient } from "../support/gateway-client.ts";
import { startTestPlatform, type TestPlatform } from "../support/platform.ts";
import { fiveCrownsGame, readyPlayer, staffToken } from "../support/players.ts";

/** A proprietary slot played through the gateway, with its game state and balance streamed live. */
let platform: TestPlatform;
let url: string;
let staff: { kyc: string; finance: string; admin: string };
let slotId: string;

beforeAll(async () => {
  // The in-process KYC simulator answers after an hour: kyc staff decide in these tests.
  platform = await startTestPlatform({ KYC_SIMULATOR_DELAY_MS: "3600000" });
  url = platform.gatewayUrl;
  staff = { admin: await staffToken(url, ["admin"]), kyc: await staffToken(url, ["kyc"]), finance: await staffToken(url, ["finance"]) };
  slotId = await fiveCrownsGame(url, staff.admin);
}, 180_000);
afterAll(async () => {
  await platform?.stop();
});

type StateEvent = { gameStateChanged: { phase: string; roundId: string; status: string; stake: { amount: string }; win: { amount: string } } };
type RichStateEvent = { gameStateChanged: { phase: string; round: { id: string; status: string; celebrate: boolean }; state: { rounds: number; netPosition: { amount: string } } } };

async function launch(token: string) {
  return until("compliance to let the verified player play", async () => {
    const res = await gql<{ launchGame: { session: { id: string; minimumGameCycleMs: number } } }>(url, `mutation($g: ID!) { launchGame(gameId: $g, mode: REAL) { url session { id minimumGameCycleMs } } }`, { g: slotId }, token);
    if (res.errors?.[0]?.extensions?.code === "PLAY_NOT_ALLOWED") return undefined;
    expect(res.errors).toBeUndefined();
    return res.data!.launchGame.session;
  });
}

describe("a slot round through the gateway", () => {
  it("launches, spins, settles through the wallet and streams the round and the balance to its player only", async () => {
    const player = await readyPlayer(url, staff, "10.00");
    const bystander = await readyPlayer(url, staff);
    const client = wsClient(url, player.token);
    const plain = collect<StateEvent>(client, `subscription { gameStateChanged { phase roundId status stake { amount } win { amount } } }`);
    const rich = collect<RichStateEvent>(client, `subscription { gameStateChanged { phase round { id status celebrate } state { rounds netPosition { amount } } } }`);
    const balance = collect<{ balanceChanged: { balance: { amount: string } } }>(client, `subscription { balanceChanged { balance { amount } } }`);
    const otherClient = wsClient(url, bystander.token);
    const other = collect<StateEvent>(otherClient, `subscription { gameStateChanged { phase roundId } }`);
    // The four subscriptions must be live before the round publishes; on a loaded machine 500 ms was
    // not always enough (a missed OPENED event left the wait below to time out).
    await new Promise((r) => setTimeout(r, 2_000));

    const session = await launch(player.token);
    expect(session.minimumGameCycleMs).toBe(2500);
    const spun = await gql<{ spinSlot: { id: string; status: string; stake: { amount: string }; win: { amount: string } } }>(
      url,
      `mutation($i: SpinSlotInput!) { spinSlot(input: $i) { id status stake { amount } win { amount } } }`,
      { i: { sessionId: session.id, lineBet: { amount: "0.01", currency: "GBP" }, idempotencyKey: `spin-${randomUUID()}` } },
      player.token,
    );
    expect(spun.errors).toBeUndefined();
    const round = spun.data!.spinSlot;
    expect(round).toMatchObject({ status: "SETTLED", stake: { amount: "0.10" } });

    // Live delivery is asynchronous (outbox relay, Redis, gateway). A timeout says what did arrive and
    // which errors came instead (the failures of 2026-11 were subscriptions lost in the gateway's
    // Redis handshake, fixed in the kernel's RedisLiveChannel: "unavailable" errors or nothing at all).
    const phases = await until("the three phases of the round", async () => (plain.events.length >= 3 ? plain.events.map((e) => e.gameStateChanged.phase) : undefined)).catch((err: Error) => {
      const seen = (events: Array<StateEvent | RichStateEvent>) => events.map((e) => e.gameStateChanged.phase).join(",") || "none";
      throw new Error(`${err.message}: plain saw [${seen(plain.events)}] errors ${JSON.stringify(plain.errors)}; rich saw [${seen(rich.events)}] errors ${JSON.stringify(rich.errors)}; balance updates ${balance.events.length}`);
    });
    expect(phases).toEqual(["OPENED", "OUTCOME", "SETTLED"]);
    expect(plain.events.every((e) => e.gameStateChanged.roundId === round.id && e.gameStateChanged.stake.amount === "0.10")).toBe(true);
    // Fields the message does not carry come from the games subgraph through the gateway.
    const settled = await until("the refetched settled update", async () => rich.events.find((e) => e.gameStateChanged.phase === "SETTLED"));
    expect(settled.gameStateChanged.round).toMatchObject({ id: round.id, status: "SETTLED" });
    expect(settled.gameStateChanged.state.rounds).toBe(1);
    const expectedBalance = (1000 - 10 + Math.round(Number(round.win.amount) * 100)) / 100;
    await until("the balance after the round", async () => balance.events.some((e) => e.balanceChanged.balance.amount === expectedBalance.toFixed(2)));

    const early = await gql(
      url,
      `mutation($i: SpinSlotInput!) { spinSlot(input: $i) { id } }`,
      { i: { sessionId: session.id, lineBet: { amount: "0.01", currency: "GBP" }, idempotencyKey: `spin-${randomUUID()}` } },
      player.token,
    );
    expect(early.errors?.[0]?.extensions?.code).toBe("GAME_CYCLE_TOO_SOON");

    expect(plain.errors).toEqual([]);
    expect(rich.errors).toEqual([]);
    expect(other.events).toEqual([]);
    for (const s of [plain, rich, balance, other]) s.dispose();
    await client.dispose();
    await otherClient.dispose();
  });
});
