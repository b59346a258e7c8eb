import { createHash, createHmac, randomUUID } from "node:crypto";
import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { waitUntil } from "@casino/kernel/testing/wait-until";
import { KycSimulator, SIGNATURE_HEADER, TIMESTAMP_HEADER, signCallback } from "@casino/kyc-simulator";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { rekeyLegacyDocumentDigests } from "../src/kyc/kyc-service.ts";
import { playerService } from "../src/service.ts";
import { dataOf, errorOf } from "./support/graphql-data.ts";
import { registerPlayer, registerVerifiablePlayer } from "./support/register-player.ts";

const SECRET = "kyc-test-secret-".padEnd(48, "x");
const DOCUMENT_KEY = "document-number-test-key-".padEnd(48, "k");
let simulator: KycSimulator;
let svc: TestService<PrismaClient>;
let callbackUrl: string;

beforeAll(async () => {
  simulator = new KycSimulator({ secret: SECRET, callbackDelayMs: 0, retryDelayMs: 20, maxRetryDelayMs: 200 });
  const simulatorUrl = await simulator.listen(0, "127.0.0.1");
  svc = await startTestService(playerService, { KYC_PROVIDER_URL: simulatorUrl, KYC_CALLBACK_SECRET: SECRET, DOCUMENT_NUMBER_KEY: DOCUMENT_KEY });
  callbackUrl = svc.url.replace(/\/graphql$/, "/callbacks/kyc/simulator");
});
afterAll(async () => {
  await simulator.close();
  await svc.stop();
});

const RECORD = `mutation($input: RecordIdentityDocumentInput!) { recordIdentityDocument(input: $input) { id type issuingCountry expiresOn numberLast4 status } }`;
const REQUEST = `mutation { requestKycVerification { id kycStatus } }`;
const ADJUDICATE = `mutation($id: ID!, $d: KycDecision!, $note: String!) { adjudicateKyc(playerId: $id, decision: $d, note: $note) { id kycStatus } }`;
const DOCUMENTS = `{ me { kycStatus identityDocuments { type status numberLast4 } } }`;

const kycStatusOf = async (playerId: string) => (await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: playerId } })).kycStatus;
const kycEvents = (playerId: string) =>
  svc.runtime.prisma.outboxEvent.findMany({ where: { playerId, type: "player.kyc_changed" }, orderBy: { seq: "asc" } }).then((rows) => rows.map((r) => r.payload));
const waitForKyc = (playerId: string, status: string) => waitUntil(`KYC ${status}`, async () => (await kycStatusOf(playerId)) === status);
const verificationOf = (playerId: string) => svc.runtime.prisma.kycVerification.findFirstOrThrow({ where: { playerId }, orderBy: { requestedAt: "desc" } });

/** Everything a callback could change, to prove a refused one changed nothing. */
async function snapshot(playerId: string) {
  const db = svc.runtime.prisma;
  return {
    player: await db.player.findUniqueOrThrow({ where: { id: playerId } }),
    verifications: await db.kycVerification.findMany({ where: { playerId } }),
    documents: await db.identityDocument.findMany({ where: { playerId }, orderBy: { id: "asc" } }),
    changes: await db.kycStatusChange.count({ where: { playerId } }),
    events: await db.outboxEvent.count({ where: { playerId } }),
  };
}

async function postCallback(body: string, headers: Record<string, string>) {
  const res = await fetch(callbackUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const signedHeaders = (body: string, secret = SECRET, timestamp = String(Math.floor(Date.now() / 1000))) => ({
  [TIMESTAMP_HEADER]: timestamp,
  [SIGNATURE_HEADER]: signCallback(secret, timestamp, body),
});

describe("identity documents", () => {
  it("stores only a keyed digest and the last 4 characters of the number", async () => {
    const p = await registerPlayer(svc);
    const res = dataOf(await svc.graphql(RECORD, { input: { type: "PASSPORT", issuingCountry: "gb", expiresOn: "2031-05-01", number: " 1234-5678 9 " } }, p.accessToken));
    expect(res).toEqual({
      recordIdentityDocument: { id: expect.any(String), type: "PASSPORT", issuingCountry: "GB", expiresOn: "2031-05-01", numberLast4: "6789", status: "RECORDED" },
    });
    const row = await svc.runtime.prisma.identityDocument.findFirstOrThrow({ where: { playerId: p.id } });
    const sha256 = createHash("sha256").update("123456789").digest("hex");
    expect(row.numberDigest).toBe(createHmac("sha256", DOCUMENT_KEY).update(sha256).digest("hex"));
    expect(row.numberDigest).not.toBe(sha256);
    expect(row.digestKeyed).toBe(true);
    expect(JSON.stringify(row)).not.toContain("12345");
    expect(row.recordedByStaffId).toBeNull();

    const again = await svc.graphql(RECORD, { input: { type: "PASSPORT", issuingCountry: "GB", expiresOn: "2031-05-01", number: "123456789" } }, p.accessToken);
    expect(errorOf(again).code).toBe("CONFLICT");
  });

  it("re-keys a document recorded before DOCUMENT_NUMBER_KEY (bare SHA-256) once, after which the same number is a duplicate", async () => {
    const p = await registerPlayer(svc);
    const sha256 = createHash("sha256").update("LEGACY4242").digest("hex");
    const id = randomUUID();
    await svc.runtime.prisma.$executeRaw`INSERT INTO identity_document (id, player_id, type, issuing_country, expires_on, number_digest, digest_keyed, number_last4, updated_at)
      VALUES (${id}::uuid, ${p.id}::uuid, 'PASSPORT', 'GB', DATE '2031-05-01', ${sha256}, false, '4242', now())`;
    const rekey = () => rekeyLegacyDocumentDigests(svc.runtime.prisma, DOCUMENT_KEY);
    expect(await rekey()).toBe(1);
    const row = await svc.runtime.prisma.identityDocument.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ digestKeyed: true, numberDigest: createHmac("sha256", DOCUMENT_KEY).update(sha256).digest("hex") });
    // Run again (a second instance starting): nothing left to re-key, the digest is not keyed twice.
    expect(await rekey()).toBe(0);
    expect((await svc.runtime.prisma.identityDocument.findUniqueOrThrow({ where: { id } })).numberDigest).toBe(row.numberDigest);
    const again = await svc.graphql(RECORD, { input: { type: "PASSPORT", issuingCountry: "GB", expiresOn: "2031-05-01", number: "legacy-4242" } }, p.accessToken);
    expect(errorOf(again).code).toBe("CONFLICT");
  });

  it.each([
    ["an identity document without expiry", { type: "DRIVING_LICENCE", issuingCountry: "GB", number: "SMITH901234AB1CD" }, "expiresOn"],
    ["an unknown issuing country", { type: "PASSPORT", issuingCountry: "XX", expiresOn: "2031-05-01", number: "123456789" }, "issuingCountry"],
    ["an impossible expiry date", { type: "PASSPORT", issuingCountry: "GB", expiresOn: "2031-02-30", number: "123456789" }, "expiresOn"],
    ["a number with symbols", { type: "NATIONAL_ID", issuingCountry: "FR", expiresOn: "2031-05-01", number: "12#45" }, "number"],
  ])("refuses %s with BAD_USER_INPUT naming the field, writing nothing", async (_label, input, field) => {
    const p = await registerPlayer(svc);
    expect(errorOf(await svc.graphql(RECORD, { input }, p.accessToken))).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await svc.runtime.prisma.identityDocument.count({ where: { playerId: p.id } })).toBe(0);
  });

  it("accepts a proof of address without expiry; kyc staff record for a player, support and other players may not", async () => {
    const p = await registerPlayer(svc);
    const other = await registerPlayer(svc);
    const input = { playerId: p.id, type: "PROOF_OF_ADDRESS", issuingCountry: "GB", number: "UTIL-0001" };
    expect(errorOf(await svc.graphql(RECORD, { input }, other.accessToken)).code).toBe("FORBIDDEN");
    expect(errorOf(await svc.graphql(RECORD, { input }, await svc.tokens.staff(["support"]))).code).toBe("FORBIDDEN");
    const staffId = randomUUID();
    dataOf(await svc.graphql(RECORD, { input }, await svc.tokens.staff(["kyc"], staffId)));
    const rows = await svc.runtime.prisma.identityDocument.findMany({ where: { playerId: { in: [p.id, other.id] } } });
    expect(rows.map((r) => ({ playerId: r.playerId, expiresOn: r.expiresOn, recordedBy: r.recordedByStaffId }))).toEqual([{ playerId: p.id, expiresOn: null, recordedBy: staffId }]);
    const seen = dataOf(await svc.graphql<{ me: unknown }>(DOCUMENTS, {}, p.accessToken));
    expect(seen.me).toEqual({ kycStatus: "UNVERIFIED", identityDocuments: [{ type: "PROOF_OF_ADDRESS", status: "RECORDED", numberLast4: "0001" }] });
  });
});

describe("verification through the provider", () => {
  it("refuses a request without a complete profile or a document, writing nothing", async () => {
    const bare = await registerPlayer(svc);
    expect(errorOf(await svc.graphql(REQUEST, {}, bare.accessToken))).toMatchObject({ code: "BAD_USER_INPUT", field: "firstName" });
    const noDocument = await registerPlayer(svc, { firstName: "Ann", lastName: "Smith", addressLine1: "1 High St", city: "London", postcode: "SW1A 1AA" });
    expect(errorOf(await svc.graphql(REQUEST, {}, noDocument.accessToken))).toMatchObject({ code: "BAD_USER_INPUT", field: "identityDocuments" });
    expect(await svc.runtime.prisma.kycVerification.count({ where: { playerId: { in: [bare.id, noDocument.id] } } })).toBe(0);
    expect([await kycStatusOf(bare.id), await kycStatusOf(noDocument.id)]).toEqual(["UNVERIFIED", "UNVERIFIED"]);
  });

  it("goes PENDING, then VERIFIED by the signed callback, with player.kyc_changed for each in the outbox", async () => {
    const p = await registerVerifiablePlayer(svc);
    const requested = dataOf(await svc.graphql(REQUEST, {}, p.accessToken));
    expect(requested).toEqual({ requestKycVerification: { id: p.id, kycStatus: "PENDING" } });
    await waitForKyc(p.id, "VERIFIED");

    expect(await kycEvents(p.id)).toEqual([
      { playerId: p.id, kycStatus: "PENDING", ageVerified: false, identityVerified: false, changedAt: expect.any(String) },
      { playerId: p.id, kycStatus: "VERIFIED", ageVerified: true, identityVerified: true, changedAt: expect.any(String) },
    ]);
    const verification = await verificationOf(p.id);
    expect(verification).toMatchObject({ provider: "simulator", result: "VERIFIED", resultReasons: [], completedAt: expect.any(Date) });
    await waitUntil("the simulator to see its callback answered", () => simulator.sentCallback(verification.providerReference)?.delivered === true);
    expect(simulator.sentCallback(verification.providerReference)).toMatchObject({ status: 200 });
    const seen = dataOf(await svc.graphql<{ me: unknown }>(DOCUMENTS, {}, p.accessToken));
    expect(seen.me).toMatchObject({ kycStatus: "VERIFIED", identityDocuments: [{ type: "PASSPORT", status: "ACCEPTED" }] });
    // Verified: a second request has nothing to verify.
    expect(errorOf(await svc.graphql(REQUEST, {}, p.accessToken))).toMatchObject({ code: "CONFLICT", kycStatus: "VERIFIED" });
  });

  it("changes nothing when the same callback is delivered again", async () => {
    const p = await registerVerifiablePlayer(svc);
    dataOf(await svc.graphql(REQUEST, {}, p.accessToken));
    await waitForKyc(p.id, "VERIFIED");
    const sent = simulator.sentCallback((await verificationOf(p.id)).providerReference)!;
    const before = await snapshot(p.id);

    const replay = await postCallback(sent.body, sent.headers);
    expect(replay).toEqual({ status: 200, body: { outcome: "REPLAYED" } });
    // The same verification with another result, properly signed: still the first result stands.
    const flipped = sent.body.replace('"result":"VERIFIED"', '"result":"REJECTED"');
    expect(await postCallback(flipped, signedHeaders(flipped))).toEqual({ status: 200, body: { outcome: "REPLAYED" } });
    expect(await snapshot(p.id)).toEqual(before);
  });

  it("refuses a bad, tampered, stale or missing signature with 401 and writes nothing", async () => {
    simulator.callbackDelayMs = 60_000; // hold the real callback back while we forge ours
    let p;
    try {
      p = await registerVerifiablePlayer(svc);
      dataOf(await svc.graphql(REQUEST, {}, p.accessToken));
    } finally {
      simulator.callbackDelayMs = 0;
    }
    const verification = await verificationOf(p.id);
    const body = JSON.stringify({ providerReference: verification.providerReference, clientReference: verification.id, result: "VERIFIED", reasons: [], decidedAt: new Date().toISOString() });
    const before = await snapshot(p.id);

    const attempts = {
      wrongSecret: await postCallback(body, signedHeaders(body, "another-secret-of-enough-length-0123456789")),
      tamperedBody: await postCallback(body.replace("VERIFIED", "REJECTED"), signedHeaders(body)),
      stale: await postCallback(body, signedHeaders(body, SECRET, String(Math.floor(Date.now() / 1000) - 3_600))),
      missing: await postCallback(body, {}),
      notHex: await postCallback(body, { [TIMESTAMP_HEADER]: String(Math.floor(Date.now() / 1000)), [SIGNATURE_HEADER]: "z".repeat(64) }),
    };
    expect(Object.fromEntries(Object.entries(attempts).map(([k, v]) => [k, v.status]))).toEqual({ wrongSecret: 401, tamperedBody: 401, stale: 401, missing: 401, notHex: 401 });
    expect(await snapshot(p.id)).toEqual(before);

    // The genuine article is accepted.
    expect(await postCallback(body, signedHeaders(body))).toEqual({ status: 200, body: { outcome: "APPLIED" } });
    expect(await kycStatusOf(p.id)).toBe("VERIFIED");
  });

  it("answers 404 to a signed callback for an unknown verification, so the provider retries, and writes nothing", async () => {
    const events = await svc.runtime.prisma.outboxEvent.count();
    const body = JSON.stringify({ providerReference: "sim_nothing", clientReference: randomUUID(), result: "VERIFIED", reasons: [] });
    expect((await postCallback(body, signedHeaders(body))).status).toBe(404);
    expect(await svc.runtime.prisma.outboxEvent.count()).toBe(events);
  });

  it("rejects an expired document, and lets the player try again with a new one", async () => {
    const p = await registerVerifiablePlayer(svc, {}, "2020-01-31");
    dataOf(await svc.graphql(REQUEST, {}, p.accessToken));
    await waitForKyc(p.id, "REJECTED");
    expect(await verificationOf(p.id)).toMatchObject({ result: "REJECTED", resultReasons: ["DOCUMENT_EXPIRED"] });

    dataOf(await svc.graphql(RECORD, { input: { type: "PASSPORT", issuingCountry: "GB", expiresOn: "2036-01-01", number: "NEWPASS99" } }, p.accessToken));
    dataOf(await svc.graphql(REQUEST, {}, p.accessToken));
    await waitForKyc(p.id, "VERIFIED");
    const seen = dataOf(await svc.graphql<{ me: { identityDocuments: Array<{ status: string; numberLast4: string }> } }>(DOCUMENTS, {}, p.accessToken));
    expect(seen.me.identityDocuments.map((d) => [d.numberLast4, d.status])).toEqual([
      ["SS99", "ACCEPTED"],
      [expect.any(String), "REJECTED"],
    ]);
    expect((await kycEvents(p.id)).map((e) => (e as { kycStatus: string }).kycStatus)).toEqual(["PENDING", "REJECTED", "PENDING", "VERIFIED"]);
  });
});

describe("referral and staff adjudication", () => {
  it("REFER puts the player in REFERRED; only kyc staff decide, with a note kept in the audit trail", async () => {
    const p = await registerVerifiablePlayer(svc, { lastName: "Refer" });
    dataOf(await svc.graphql(REQUEST, {}, p.accessToken));
    await waitForKyc(p.id, "REFERRED");

    const args = { id: p.id, d: "VERIFIED", note: "Passport checked on a video call" };
    for (const token of [p.accessToken, await svc.tokens.staff(["support"]), await svc.tokens.staff(["compliance"])]) {
      expect(errorOf(await svc.graphql(ADJUDICATE, args, token)).code).toBe("FORBIDDEN");
    }
    const staffId = randomUUID();
    const kyc = await svc.tokens.staff(["kyc"], staffId);
    expect(errorOf(await svc.graphql(ADJUDICATE, { ...args, note: "  " }, kyc))).toMatchObject({ code: "BAD_USER_INPUT", field: "note" });
    expect(await kycStatusOf(p.id)).toBe("REFERRED");

    expect(dataOf(await svc.graphql(ADJUDICATE, args, kyc))).toEqual({ adjudicateKyc: { id: p.id, kycStatus: "VERIFIED" } });
    const trail = await svc.runtime.prisma.kycStatusChange.findMany({ where: { playerId: p.id }, orderBy: { createdAt: "asc" } });
    expect(trail.map((c) => [c.fromStatus, c.toStatus, c.actor, c.note])).toEqual([
      ["UNVERIFIED", "PENDING", "player", null],
      ["PENDING", "REFERRED", "provider:simulator", "MANUAL_REVIEW_REQUESTED"],
      ["REFERRED", "VERIFIED", `staff:${staffId}`, "Passport checked on a video call"],
    ]);
    expect((await kycEvents(p.id)).at(-1)).toMatchObject({ kycStatus: "VERIFIED", ageVerified: true, identityVerified: true });
    expect(errorOf(await svc.graphql(ADJUDICATE, { ...args, d: "REJECTED" }, kyc))).toMatchObject({ code: "CONFLICT", kycStatus: "VERIFIED" });
  });

  it("locks the verified name against the player's own changes; the address may still change", async () => {
    const p = await registerVerifiablePlayer(svc);
    dataOf(await svc.graphql(REQUEST, {}, p.accessToken));
    await waitForKyc(p.id, "VERIFIED");
    const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { lastName address { city } } }`;
    expect(errorOf(await svc.graphql(UPDATE, { input: { lastName: "Jones" } }, p.accessToken))).toMatchObject({ code: "CONFLICT", field: "lastName" });
    expect(dataOf(await svc.graphql(UPDATE, { input: { city: "York" } }, p.accessToken))).toEqual({ updateProfile: { lastName: "Smith", address: { city: "York" } } });
  });
});
