import { randomUUID } from "node:crypto";
import { gql, until } from "./gateway-client.ts";
import { ADMIN } from "./platform.ts";

type Auth = { accessToken: string; refreshToken: string };

const STAFF_LOGIN = `mutation($e: String!, $p: String!) { staffLogin(email: $e, password: $p) { accessToken refreshToken } }`;

/** Logs in the seeded admin, creates a staff user with `roles` and logs it in. */
export async function staffToken(url: string, roles: string[]): Promise<string> {
  const admin = await gql<{ staffLogin: Auth }>(url, STAFF_LOGIN, { e: ADMIN.email, p: ADMIN.password });
  if (admin.errors) throw new Error(`admin login failed: ${JSON.stringify(admin.errors)}`);
  if (roles.length === 1 && roles[0] === "admin") return admin.data!.staffLogin.accessToken;
  const email = `${roles.join("-")}-${randomUUID()}@casino.test`;
  const password = "staff-password-long-1";
  const created = await gql(url, `mutation($input: CreateStaffUserInput!) { createStaffUser(input: $input) { id } }`, { input: { email, password, roles } }, admin.data!.staffLogin.accessToken);
  if (created.errors) throw new Error(`createStaffUser failed: ${JSON.stringify(created.errors)}`);
  const login = await gql<{ staffLogin: Auth }>(url, STAFF_LOGIN, { e: email, p: password });
  return login.data!.staffLogin.accessToken;
}

export interface ReadyPlayer {
  playerId: string;
  token: string;
}

/**
 * A player who may play: registered with the details GAMSTOP screening needs, KYC verified by kyc
 * staff, and (when `fundsMajor` is given) credited by finance. Waits until compliance and the wallet
 * have consumed the events, since launches ask compliance and stakes need the wallet.
 */
export async function readyPlayer(url: string, staff: { kyc: string; finance: string }, fundsMajor?: string): Promise<ReadyPlayer> {
  const email = `player-${randomUUID()}@example.com`;
  const registered = await gql<{ registerPlayer: Auth }>(
    url,
    `mutation($input: RegisterPlayerInput!) { registerPlayer(input: $input) { accessToken refreshToken } }`,
    { input: { email, password: "a long enough passphrase", dateOfBirth: "1985-03-02", country: "GB", currency: "GBP", firstName: "Pat", lastName: "Player", addressLine1: "1 High Street", city: "London", postcode: "SW1A 1AA" } },
  );
  if (registered.errors) throw new Error(`registerPlayer failed: ${JSON.stringify(registered.errors)}`);
  const token = registered.data!.registerPlayer.accessToken;
  const me = await gql<{ me: { id: string } }>(url, `{ me { id } }`, {}, token);
  const playerId = me.data!.me.id;
  const document = await gql(
    url,
    `mutation($i: RecordIdentityDocumentInput!) { recordIdentityDocument(input: $i) { id } }`,
    { i: { type: "PASSPORT", issuingCountry: "GB", expiresOn: "2034-01-31", number: `P${randomUUID().replaceAll("-", "").slice(0, 8)}` } },
    token,
  );
  if (document.errors) throw new Error(`recordIdentityDocument failed: ${JSON.stringify(document.errors)}`);
  const requested = await gql(url, `mutation { requestKycVerification { kycStatus } }`, {}, token);
  if (requested.errors) throw new Error(`requestKycVerification failed: ${JSON.stringify(requested.errors)}`);
  const decided = await gql(url, `mutation($p: ID!) { adjudicateKyc(playerId: $p, decision: VERIFIED, note: "documents checked") { kycStatus } }`, { p: playerId }, staff.kyc);
  if (decided.errors) throw new Error(`adjudicateKyc failed: ${JSON.stringify(decided.errors)}`);
  if (fundsMajor) {
    await until("the wallet to open and accept the credit", async () => {
      const res = await gql(
        url,
        `mutation($p: ID!, $a: MoneyInput!, $k: String!) { adjustBalance(playerId: $p, amount: $a, reason: "test funds", idempotencyKey: $k) { id } }`,
        { p: playerId, a: { amount: fundsMajor, currency: "GBP" }, k: `funds-${playerId}` },
        staff.finance,
      );
      if (res.errors?.[0]?.extensions?.code === "NOT_FOUND") return undefined;
      if (res.errors) throw new Error(`adjustBalance failed: ${JSON.stringify(res.errors)}`);
      return res;
    });
  }
  return { playerId, token };
}

/**
 * Five Crowns in the catalogue as the demo seed has it (created or updated by code, so it works
 * whether the seed ran or not); returns its id.
 */
export async function fiveCrownsGame(url: string, adminToken: string): Promise<string> {
  const provider = await gql<{ upsertProvider: { id: string } }>(url, `mutation { upsertProvider(input: { code: "casino-originals", name: "Casino Originals", integration: PROPRIETARY }) { id } }`, {}, adminToken);
  if (provider.errors) throw new Error(`upsertProvider failed: ${JSON.stringify(provider.errors)}`);
  const game = await gql<{ upsertGame: { id: string } }>(
    url,
    `mutation($i: GameInput!) { upsertGame(input: $i) { id } }`,
    {
      i: {
        providerId: provider.data!.upsertProvider.id,
        code: "five-crowns",
        name: "Five Crowns",
        type: "SLOT",
        rtpBasisPoints: 9606,
        volatility: "MEDIUM",
        minStake: { amount: "0.10", currency: "GBP" },
        maxStake: { amount: "5.00", currency: "GBP" },
        jurisdictions: ["GB"],
        enabled: true,
      },
    },
    adminToken,
  );
  if (game.errors) throw new Error(`upsertGame failed: ${JSON.stringify(game.errors)}`);
  return game.data!.upsertGame.id;
}
