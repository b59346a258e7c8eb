/**
 * Hub88 Operator Wallet API conformance: every endpoint and every RS_* status this operator answers,
 * through HTTP with real signatures, against the real wallet. Bad input answers the protocol's error
 * and writes nothing (neither an RGS record nor a wallet transaction).
 */
import { randomUUID } from "node:crypto";
import { Hub88Simulator, type Hub88Reply } from "@casino/rgs-simulator";
import { HUB88_PARTNER_KEYS, startHub88Platform, type RgsPlatform } from "./support/platform.ts";

let p: RgsPlatform;
let sim: Hub88Simulator;
let stop: () => Promise<void>;

beforeAll(async () => ({ p, sim, stop } = await startHub88Platform()));
afterAll(() => stop());

const GBP = 1_000n; // Hub88 units per penny

interface Round {
  user: string;
  token: string;
}

async function round(deposit = 10_000n): Promise<Round> {
  const user = await p.fundedPlayer(deposit);
  return { user, token: await p.session(p.hub88, user) };
}

const betBody = (r: Round, over: Record<string, unknown> = {}) => ({
  user: r.user,
  token: r.token,
  request_uuid: randomUUID(),
  transaction_uuid: randomUUID(),
  round: `r-${randomUUID()}`,
  game_code: p.hub88.gameCode,
  currency: "GBP",
  amount: Number(250n * GBP),
  is_free: false,
  bet: "spin",
  ...over,
});
const winBody = (r: Round, betId: string, over: Record<string, unknown> = {}) => ({
  ...betBody(r, { amount: Number(600n * GBP) }),
  reference_transaction_uuid: betId,
  ...over,
});
const rollbackBody = (r: Round, betId: string, over: Record<string, unknown> = {}) => ({
  user: r.user,
  token: r.token,
  request_uuid: randomUUID(),
  transaction_uuid: randomUUID(),
  reference_transaction_uuid: betId,
  round: "r-1",
  game_code: p.hub88.gameCode,
  ...over,
});

function expectAnswer(reply: Hub88Reply, status: string, balancePence?: bigint) {
  expect(reply.delivery.status).toBe(200);
  expect(reply.answer?.status).toBe(status);
  expect(reply.signedByOperator).toBe(true);
  if (balancePence !== undefined) {
    expect(reply.answer?.currency).toBe("GBP");
    expect(BigInt(reply.answer!.balance!)).toBe(balancePence * GBP);
  }
}

/** Runs `fn` and requires that it wrote nothing anywhere. */
async function writesNothing(fn: () => Promise<void>) {
  const before = { records: await p.recordCounts(), wallet: await p.walletTransactionCount() };
  await fn();
  expect({ records: await p.recordCounts(), wallet: await p.walletTransactionCount() }).toEqual(before);
}

describe("/user/info and /user/balance", () => {
  it("answers a known user with RS_OK and the balance in 1/100000 units, echoing request_uuid", async () => {
    const r = await round(12_345n);
    const info = await sim.send("/user/info", { user: r.user, request_uuid: "req-info-1" });
    expectAnswer(info, "RS_OK");
    expect(info.answer).toMatchObject({ user: r.user, request_uuid: "req-info-1" });
    const balance = await sim.send("/user/balance", { user: r.user, token: r.token, request_uuid: "req-bal-1", game_code: p.hub88.gameCode });
    expectAnswer(balance, "RS_OK", 12_345n);
    expect(balance.answer).toMatchObject({ user: r.user, request_uuid: "req-bal-1" });
  });

  it("answers an unknown user or a token of another user with RS_ERROR_INVALID_TOKEN", async () => {
    const r = await round();
    expectAnswer(await sim.send("/user/info", { user: randomUUID(), request_uuid: randomUUID() }), "RS_ERROR_INVALID_TOKEN");
    expectAnswer(await sim.send("/user/info", { user: "not-a-player", request_uuid: randomUUID() }), "RS_ERROR_INVALID_TOKEN");
    const other = await round();
    expectAnswer(await sim.send("/user/balance", { user: r.user, token: other.token, request_uuid: randomUUID() }), "RS_ERROR_INVALID_TOKEN");
  });
});

describe("/transaction/bet", () => {
  it("debits the stake, and answers a replay with the first answer without moving money twice", async () => {
    const r = await round(10_000n);
    const body = betBody(r);
    const first = await sim.send("/transaction/bet", body);
    expectAnswer(first, "RS_OK", 9_750n);
    const walletTx = await p.walletTransactionCount();
    const again = await sim.send("/transaction/bet", { ...body, request_uuid: randomUUID() });
    expectAnswer(again, "RS_OK", 9_750n);
    expect(await p.walletTransactionCount()).toBe(walletTx);
    expectAnswer(await sim.send("/user/balance", { user: r.user, token: r.token, request_uuid: randomUUID() }), "RS_OK", 9_750n);
  });

  it("answers a replay with the first answer also once the session has ended, and refuses a new bet in it", async () => {
    const r = await round(10_000n);
    const body = betBody(r);
    expectAnswer(await sim.send("/transaction/bet", body), "RS_OK", 9_750n);
    await p.endSession(r.token);
    const walletTx = await p.walletTransactionCount();
    expectAnswer(await sim.send("/transaction/bet", { ...body, request_uuid: randomUUID() }), "RS_OK", 9_750n);
    expect(await p.walletTransactionCount()).toBe(walletTx);
    await writesNothing(async () => {
      expectAnswer(await sim.send("/transaction/bet", betBody(r)), "RS_ERROR_TOKEN_EXPIRED");
    });
  });

  it("answers the same transaction_uuid with another amount, currency, round, user or game with RS_ERROR_DUPLICATE_TRANSACTION", async () => {
    const r = await round();
    const body = betBody(r);
    expectAnswer(await sim.send("/transaction/bet", body), "RS_OK");
    const other = await round();
    for (const change of [{ amount: body.amount + 1000 }, { currency: "EUR" }, { round: "another" }, { user: other.user, token: other.token }, { game_code: `${p.hub88.code}-retired` }]) {
      expectAnswer(await sim.send("/transaction/bet", { ...body, ...change }), "RS_ERROR_DUPLICATE_TRANSACTION");
    }
    // A win may not reuse a bet's uuid either.
    expectAnswer(await sim.send("/transaction/win", winBody(r, body.transaction_uuid, { transaction_uuid: body.transaction_uuid })), "RS_ERROR_DUPLICATE_TRANSACTION");
  });

  it("refuses a stake above the balance with RS_ERROR_NOT_ENOUGH_MONEY and the real balance, the same on every retry", async () => {
    const r = await round(100n);
    const body = betBody(r, { amount: Number(101n * GBP) });
    expectAnswer(await sim.send("/transaction/bet", body), "RS_ERROR_NOT_ENOUGH_MONEY", 100n);
    await p.fundedPlayer(0n); // unrelated activity
    expectAnswer(await sim.send("/transaction/bet", body), "RS_ERROR_NOT_ENOUGH_MONEY", 100n);
  });

  it("refuses an expired session (RS_ERROR_TOKEN_EXPIRED), an unknown or demo token (RS_ERROR_INVALID_TOKEN), writing nothing", async () => {
    const user = await p.fundedPlayer();
    await writesNothing(async () => {
      expectAnswer(await sim.send("/transaction/bet", betBody({ user, token: await p.session(p.hub88, user, { expired: true }) })), "RS_ERROR_TOKEN_EXPIRED");
      expectAnswer(await sim.send("/transaction/bet", betBody({ user, token: "no-such-token" })), "RS_ERROR_INVALID_TOKEN");
      expectAnswer(await sim.send("/transaction/bet", betBody({ user, token: await p.session(p.hub88, user, { mode: "DEMO" }) })), "RS_ERROR_INVALID_TOKEN");
      expectAnswer(await sim.send("/transaction/bet", betBody({ user, token: await p.session(p.softswiss, user) })), "RS_ERROR_INVALID_TOKEN");
    });
  });

  it("refuses an unknown or disabled game (RS_ERROR_INVALID_GAME) and a wrong currency (RS_ERROR_WRONG_CURRENCY), writing nothing", async () => {
    const r = await round();
    await writesNothing(async () => {
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { game_code: "no-such-game" })), "RS_ERROR_INVALID_GAME");
      const retired = await p.session(p.hub88, r.user, { gameCode: `${p.hub88.code}-retired` });
      expectAnswer(await sim.send("/transaction/bet", betBody({ ...r, token: retired }, { game_code: `${p.hub88.code}-retired` })), "RS_ERROR_INVALID_GAME");
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { currency: "EUR" })), "RS_ERROR_WRONG_CURRENCY");
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { currency: "USD" })), "RS_ERROR_WRONG_CURRENCY");
    });
  });

  it("refuses amounts that are no whole number of pence with RS_ERROR_WRONG_TYPES, writing nothing", async () => {
    const r = await round();
    await writesNothing(async () => {
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { amount: 250_001 })), "RS_ERROR_WRONG_TYPES");
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { amount: 2.5 })), "RS_ERROR_WRONG_TYPES");
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { amount: -1000 })), "RS_ERROR_WRONG_TYPES");
    });
  });

  it("answers RS_ERROR_LIMIT_REACHED when compliance refuses the stake, and keeps that answer", async () => {
    const r = await round();
    p.compliance.refusals.set(r.user, ["STAKE_LIMIT"]);
    const body = betBody(r);
    expectAnswer(await sim.send("/transaction/bet", body), "RS_ERROR_LIMIT_REACHED");
    p.compliance.refusals.delete(r.user);
    expectAnswer(await sim.send("/transaction/bet", body), "RS_ERROR_LIMIT_REACHED");
    expectAnswer(await sim.send("/transaction/bet", betBody(r)), "RS_OK", 9_750n);
  });

  it("fails closed when compliance cannot answer (RS_ERROR_UNKNOWN, nothing written), and takes the retry once it can", async () => {
    const r = await round();
    const body = betBody(r);
    p.compliance.down = true;
    try {
      await writesNothing(async () => {
        expectAnswer(await sim.send("/transaction/bet", body), "RS_ERROR_UNKNOWN");
      });
    } finally {
      p.compliance.down = false;
    }
    expectAnswer(await sim.send("/transaction/bet", body), "RS_OK", 9_750n);
  });

  it("debits nothing for a free bet (is_free)", async () => {
    const r = await round(1_000n);
    expectAnswer(await sim.send("/transaction/bet", betBody(r, { is_free: true })), "RS_OK", 1_000n);
  });
});

describe("/transaction/win", () => {
  it("credits a win for its bet, also after the session expired; replays answer the same", async () => {
    const r = await round(10_000n);
    const bet = betBody(r);
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_OK", 9_750n);
    const expiredToken = await p.session(p.hub88, r.user, { expired: true });
    const win = winBody({ ...r, token: expiredToken }, bet.transaction_uuid, { round: bet.round });
    expectAnswer(await sim.send("/transaction/win", win), "RS_OK", 10_350n);
    expectAnswer(await sim.send("/transaction/win", { ...win, request_uuid: randomUUID() }), "RS_OK", 10_350n);
    expectAnswer(await sim.send("/transaction/win", { ...win, amount: win.amount + 1000 }), "RS_ERROR_DUPLICATE_TRANSACTION");
  });

  it("answers a win for an unknown bet with RS_ERROR_TRANSACTION_DOES_NOT_EXIST", async () => {
    const r = await round();
    expectAnswer(await sim.send("/transaction/win", winBody(r, randomUUID())), "RS_ERROR_TRANSACTION_DOES_NOT_EXIST");
    // Another player's bet is not this player's either.
    const other = await round();
    const bet = betBody(other);
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_OK");
    expectAnswer(await sim.send("/transaction/win", winBody(r, bet.transaction_uuid)), "RS_ERROR_TRANSACTION_DOES_NOT_EXIST");
  });
});

describe("/transaction/rollback", () => {
  it("reverses a bet; a win for it is then refused with RS_ERROR_TRANSACTION_ROLLED_BACK", async () => {
    const r = await round(10_000n);
    const bet = betBody(r);
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_OK", 9_750n);
    const rb = rollbackBody(r, bet.transaction_uuid);
    expectAnswer(await sim.send("/transaction/rollback", rb), "RS_OK", 10_000n);
    expectAnswer(await sim.send("/transaction/rollback", { ...rb, request_uuid: randomUUID() }), "RS_OK", 10_000n);
    expectAnswer(await sim.send("/transaction/win", winBody(r, bet.transaction_uuid)), "RS_ERROR_TRANSACTION_ROLLED_BACK");
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_OK", 9_750n); // the bet's own replay is its first answer
    expectAnswer(await sim.send("/user/balance", { user: r.user, token: r.token, request_uuid: randomUUID() }), "RS_OK", 10_000n);
  });

  it("records a rollback that overtakes its bet (RS_OK), refuses the late bet and its win, and moves no money", async () => {
    const r = await round(10_000n);
    const bet = betBody(r);
    expectAnswer(await sim.send("/transaction/rollback", rollbackBody(r, bet.transaction_uuid, { token: undefined })), "RS_OK", 10_000n);
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_ERROR_TRANSACTION_ROLLED_BACK");
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_ERROR_TRANSACTION_ROLLED_BACK");
    expectAnswer(await sim.send("/transaction/win", winBody(r, bet.transaction_uuid)), "RS_ERROR_TRANSACTION_ROLLED_BACK");
    expectAnswer(await sim.send("/user/balance", { user: r.user, token: r.token, request_uuid: randomUUID() }), "RS_OK", 10_000n);
  });

  it("answers a second rollback of the same bet under another uuid with RS_ERROR_TRANSACTION_ROLLED_BACK", async () => {
    const r = await round(10_000n);
    const bet = betBody(r);
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_OK");
    expectAnswer(await sim.send("/transaction/rollback", rollbackBody(r, bet.transaction_uuid)), "RS_OK", 10_000n);
    expectAnswer(await sim.send("/transaction/rollback", rollbackBody(r, bet.transaction_uuid)), "RS_ERROR_TRANSACTION_ROLLED_BACK");
  });

  it("does not roll back a win (RS_ERROR_TRANSACTION_DOES_NOT_EXIST)", async () => {
    const r = await round(10_000n);
    const bet = betBody(r);
    expectAnswer(await sim.send("/transaction/bet", bet), "RS_OK");
    const win = winBody(r, bet.transaction_uuid);
    expectAnswer(await sim.send("/transaction/win", win), "RS_OK", 10_350n);
    expectAnswer(await sim.send("/transaction/rollback", rollbackBody(r, win.transaction_uuid)), "RS_ERROR_TRANSACTION_DOES_NOT_EXIST");
  });
});

describe("requests that are not acceptable write nothing", () => {
  it("answers a bad or missing signature with RS_ERROR_INVALID_SIGNATURE", async () => {
    const r = await round();
    const body = betBody(r);
    // Signed over other bytes of the same JSON (re-serialised): the raw body is what counts.
    const spaced = JSON.stringify(body, null, 1);
    await writesNothing(async () => {
      expectAnswer(await sim.send("/transaction/bet", body, { signature: null }), "RS_ERROR_INVALID_SIGNATURE");
      expectAnswer(await sim.send("/transaction/bet", body, { signature: sim.sign(JSON.stringify({ ...body, amount: 1000 })) }), "RS_ERROR_INVALID_SIGNATURE");
      expectAnswer(await sim.send("/transaction/bet", body, { signature: "Zm9v" }), "RS_ERROR_INVALID_SIGNATURE");
      expectAnswer(await sim.send("/transaction/bet", spaced, { signature: sim.sign(JSON.stringify(body)) }), "RS_ERROR_INVALID_SIGNATURE");
    });
    // The control: a valid signature over those very bytes is accepted.
    expectAnswer(await sim.send("/transaction/bet", spaced), "RS_OK", 9_750n);
  });

  it("answers malformed JSON and missing fields with RS_ERROR_WRONG_SYNTAX, wrong types with RS_ERROR_WRONG_TYPES", async () => {
    const r = await round();
    await writesNothing(async () => {
      expectAnswer(await sim.send("/transaction/bet", "{not json"), "RS_ERROR_WRONG_SYNTAX");
      expectAnswer(await sim.send("/transaction/bet", "[1,2]"), "RS_ERROR_WRONG_SYNTAX");
      const { round: _round, ...noRound } = betBody(r);
      expectAnswer(await sim.send("/transaction/bet", noRound), "RS_ERROR_WRONG_SYNTAX");
      const { game_code: _g, ...noGame } = betBody(r);
      expectAnswer(await sim.send("/transaction/bet", noGame), "RS_ERROR_WRONG_SYNTAX");
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { amount: "250000" })), "RS_ERROR_WRONG_TYPES");
      expectAnswer(await sim.send("/transaction/bet", betBody(r, { is_free: "no" })), "RS_ERROR_WRONG_TYPES");
      expectAnswer(await sim.send("/transaction/win", winBody(r, randomUUID(), { reference_transaction_uuid: 42 })), "RS_ERROR_WRONG_TYPES");
      expectAnswer(await sim.send("/user/balance", { user: 7, request_uuid: randomUUID() }), "RS_ERROR_WRONG_TYPES");
    });
  });

  it("answers an unknown or unconfigured partner with RS_ERROR_INVALID_PARTNER (unsigned: there is no key) and other paths with 404", async () => {
    const sql = p.games.runtime.db.sql;
    await sql.query(`INSERT INTO provider (id, code, name, integration, protocol, enabled, updated_at) VALUES ($1::uuid, 'hub88-unconfigured', 'x', 'AGGREGATOR', 'hub88', true, now())`, [randomUUID()]);
    const r = await round();
    await writesNothing(async () => {
      const other = new Hub88Simulator({ baseUrl: `${p.rgsUrl}/hub88-unconfigured`, partnerPrivateKeyPem: HUB88_PARTNER_KEYS.privateKeyPem, operatorPublicKeyPem: p.operatorKeys.publicKeyPem });
      const reply = await other.send("/transaction/bet", betBody(r));
      await other.close();
      expect(reply.answer?.status).toBe("RS_ERROR_INVALID_PARTNER");
      expect(reply.signedByOperator).toBe(false);
      const res = await fetch(`${p.rgsUrl}/no-such-provider/transaction/bet`, { method: "POST", body: "{}" });
      expect(res.status).toBe(404);
    });
  });
});
