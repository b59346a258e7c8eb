/**
 * SoftSwiss-style protocol conformance: /play (balance, atomic batches of bets and wins) and
 * /rollback, X-REQUEST-SIGN, HTTP 412 codes; bad input writes nothing.
 */
import { randomUUID } from "node:crypto";
import { SoftswissSimulator, type SoftswissReply } from "@casino/rgs-simulator";
import { startRgsPlatform, type RgsPlatform } from "./support/platform.ts";

let p: RgsPlatform;
let sim: SoftswissSimulator;

beforeAll(async () => {
  p = await startRgsPlatform();
  sim = new SoftswissSimulator({ baseUrl: `${p.rgsUrl}/softswiss`, secret: p.softswissSecret });
});
afterAll(async () => {
  await sim.close();
  await p.stop();
});

async function player(deposit = 10_000n) {
  const user = await p.fundedPlayer(deposit);
  return { user_id: user, session_id: await p.session(p.softswiss, user), currency: "GBP", game: p.softswiss.gameCode, game_id: `round-${randomUUID()}` };
}
type Round = Awaited<ReturnType<typeof player>>;
const bet = (amount: number, id = randomUUID()) => ({ action: "bet", action_id: id, amount });
const win = (amount: number, id = randomUUID()) => ({ action: "win", action_id: id, amount });
const play = (r: Round, actions: object[], over: object = {}) => sim.send("/play", { ...r, finished: false, actions, ...over });
const rollback = (r: Round, original: string, id = randomUUID()) => sim.send("/rollback", { ...r, actions: [{ action: "rollback", action_id: id, original_action_id: original }] });
const balance = async (r: Round) => (await sim.send("/play", { ...r })).answer?.balance;

function expectError(reply: SoftswissReply, code: number) {
  expect(reply.delivery.status).toBe(412);
  expect(reply.answer?.code).toBe(code);
  expect(typeof reply.answer?.message).toBe("string");
}

async function writesNothing(fn: () => Promise<void>) {
  const before = { records: await p.recordCounts(), wallet: await p.walletTransactionCount() };
  await fn();
  expect({ records: await p.recordCounts(), wallet: await p.walletTransactionCount() }).toEqual(before);
}

describe("/play", () => {
  it("answers a request without actions with the balance in minor units", async () => {
    const r = await player(4_321n);
    const reply = await sim.send("/play", r);
    expect(reply.delivery.status).toBe(200);
    expect(reply.answer).toEqual({ balance: 4_321 });
  });

  it("applies a bet and a win together and lists a wallet transaction per action; a replay gives the same answer", async () => {
    const r = await player(10_000n);
    const actions = [bet(250), win(600)];
    const first = await play(r, actions);
    expect(first.delivery.status).toBe(200);
    expect(first.answer).toMatchObject({ balance: 10_350, game_id: r.game_id });
    expect(first.answer?.transactions?.map((t) => t.action_id)).toEqual(actions.map((a) => a.action_id));
    const walletTx = await p.walletTransactionCount();
    const again = await play(r, actions);
    expect(again.answer).toEqual(first.answer);
    expect(await p.walletTransactionCount()).toBe(walletTx);
  });

  it("applies nothing of a batch whose second bet cannot be paid (100, all or none)", async () => {
    const r = await player(1_000n);
    const actions = [bet(600), bet(600), win(5_000)];
    const reply = await play(r, actions);
    expectError(reply, 100);
    expect(await balance(r)).toBe(1_000);
    // Every id of the refused batch keeps that answer.
    expectError(await play(r, actions), 100);
    expectError(await play(r, [actions[1]!]), 100);
    // The first bet's stake was reversed, so its id stays refused for good.
    expect(await balance(r)).toBe(1_000);
  });

  it("replays the part of a batch seen before and applies the rest", async () => {
    const r = await player(10_000n);
    const b = bet(300);
    expect((await play(r, [b])).answer?.balance).toBe(9_700);
    const w = win(900);
    const reply = await play(r, [b, w]);
    expect(reply.delivery.status).toBe(200);
    expect(reply.answer?.balance).toBe(10_600);
    expect(reply.answer?.transactions?.map((t) => t.action_id)).toEqual([b.action_id, w.action_id]);
  });

  it("answers an action id reused with other data with 108", async () => {
    const r = await player();
    const b = bet(100);
    expect((await play(r, [b])).delivery.status).toBe(200);
    expectError(await play(r, [{ ...b, amount: 101 }]), 108);
  });

  it("answers 105 when compliance refuses, 102 for an expired session, 101 for an unknown one, 153 for an unknown game, 154 for a wrong currency", async () => {
    const r = await player();
    p.compliance.refusals.set(r.user_id, ["SELF_EXCLUDED"]);
    expectError(await play(r, [bet(100)]), 105);
    p.compliance.refusals.delete(r.user_id);
    await writesNothing(async () => {
      expectError(await play(r, [bet(100)], { session_id: await p.session(p.softswiss, r.user_id, { expired: true }) }), 102);
      expectError(await play(r, [bet(100)], { session_id: "nope" }), 101);
      expectError(await play(r, [bet(100)], { game: "no-such-game" }), 153);
      expectError(await play(r, [bet(100)], { currency: "EUR" }), 154);
      expectError(await play(r, [bet(100)], { currency: "USD" }), 154);
    });
  });

  it("pays a win after the session expired", async () => {
    const r = await player(1_000n);
    const reply = await play(r, [win(50)], { session_id: await p.session(p.softswiss, r.user_id, { expired: true }) });
    expect(reply.delivery.status).toBe(200);
    expect(reply.answer?.balance).toBe(1_050);
  });
});

describe("/rollback", () => {
  it("reverses a bet, once", async () => {
    const r = await player(10_000n);
    const b = bet(400);
    expect((await play(r, [b])).answer?.balance).toBe(9_600);
    const rbId = randomUUID();
    const reply = await rollback(r, b.action_id, rbId);
    expect(reply.delivery.status).toBe(200);
    expect(reply.answer?.balance).toBe(10_000);
    expect((await rollback(r, b.action_id, rbId)).answer).toEqual(reply.answer);
    expectError(await rollback(r, b.action_id), 107);
    expect(await balance(r)).toBe(10_000);
  });

  it("succeeds for an action not seen yet and refuses the whole late batch with 107", async () => {
    const r = await player(10_000n);
    const b = bet(400);
    expect((await rollback(r, b.action_id)).delivery.status).toBe(200);
    expectError(await play(r, [b, win(1_000)]), 107);
    expect(await balance(r)).toBe(10_000);
  });
});

describe("requests that are not acceptable write nothing", () => {
  it("answers a bad or missing X-REQUEST-SIGN with 403", async () => {
    const r = await player();
    const body = { ...r, actions: [bet(100)] };
    await writesNothing(async () => {
      expectError(await sim.send("/play", body, { signature: null }), 403);
      expectError(await sim.send("/play", body, { signature: sim.sign(JSON.stringify({ ...body, actions: [bet(1)] })) }), 403);
      expectError(await sim.send("/play", JSON.stringify(body, null, 2), { signature: sim.sign(JSON.stringify(body)) }), 403);
      expectError(await sim.send("/play", body, { signature: "zz" }), 403);
    });
  });

  it("answers malformed JSON, missing fields, wrong types and fractional amounts with 400", async () => {
    const r = await player();
    await writesNothing(async () => {
      expectError(await sim.send("/play", "{oops"), 400);
      const { user_id: _u, ...noUser } = r;
      expectError(await sim.send("/play", { ...noUser, actions: [bet(100)] }), 400);
      expectError(await play(r, [{ action: "bet", action_id: randomUUID(), amount: "100" }]), 400);
      expectError(await play(r, [{ action: "bet", action_id: randomUUID(), amount: 1.5 }]), 400);
      expectError(await play(r, [{ action: "jackpot", action_id: randomUUID(), amount: 1 }]), 400);
      const same = randomUUID();
      expectError(await play(r, [bet(1, same), win(1, same)]), 400);
      expectError(await sim.send("/rollback", { ...r, actions: [] }), 400);
    });
  });

  it("answers an unconfigured provider with 401", async () => {
    await p.games.runtime.db.sql.query(`INSERT INTO provider (id, code, name, integration, protocol, enabled, updated_at) VALUES ($1::uuid, 'softswiss-off', 'x', 'DIRECT', 'softswiss', false, now())`, [randomUUID()]);
    const r = await player();
    const other = new SoftswissSimulator({ baseUrl: `${p.rgsUrl}/softswiss-off`, secret: p.softswissSecret });
    await writesNothing(async () => {
      expectError(await other.send("/play", { ...r, actions: [bet(1)] }), 401);
    });
    await other.close();
  });
});
