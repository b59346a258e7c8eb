/**
 * Staff's RGS provider configuration through GraphQL (configureRgsProvider, rgsProviderConfig,
 * rgsProviderConfigs): admin only; credentials validated by the protocol's adapter before anything
 * is written; no answer ever holds a secret; a provider configured here serves correctly signed
 * callbacks and refuses the old key as soon as it is rotated, in spite of the provider cache
 * (RGS_CACHE_MS keeps its default of 5 s here).
 */
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { Hub88Simulator, SoftswissSimulator, type SoftswissReply } from "@casino/rgs-simulator";
import { configureRgsProvider } from "../operations/configure-rgs-provider.ts";
import { queryRgsProviderConfig, queryRgsProviderConfigs } from "../operations/query-rgs-provider-configs.ts";
import { gameInput, upsertGame } from "../operations/upsert-game.ts";
import { upsertProvider } from "../operations/upsert-provider.ts";
import { startGamesWithRgs, type GamesWithRgs } from "./support/games-with-rgs.ts";
import { HUB88_PARTNER_KEYS } from "./support/platform.ts";

const rsaKeys = () =>
  generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });

/** Every secret this file sends or configures. No answer may hold one, nor any line of a PEM key's body. */
const SECRETS: string[] = [];
function secret(value: string): string {
  SECRETS.push(value);
  return value;
}
const fragmentsOf = (value: string) => (value.includes("-----BEGIN") ? value.split("\n").filter((line) => line.length >= 32 && !line.startsWith("-----")) : [value]);
function expectNoSecret(res: unknown) {
  const json = JSON.stringify(res, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
  expect(SECRETS.flatMap(fragmentsOf).filter((fragment) => json.includes(fragment))).toEqual([]);
}

const OPERATOR_KEYS = rsaKeys();
secret(OPERATOR_KEYS.privateKey);
const OPERATOR_KEY_VARIABLE = "AURORA_OPERATOR_KEY";
const EC_PRIVATE_KEY = secret(generateKeyPairSync("ec", { namedCurve: "P-256", privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey);
const newHmacSecret = () => secret(randomBytes(32).toString("hex"));

let h: GamesWithRgs;
let admin: string;
const adminId = randomUUID();

beforeAll(async () => {
  h = await startGamesWithRgs({ [OPERATOR_KEY_VARIABLE]: OPERATOR_KEYS.privateKey });
  admin = await h.games.tokens.staff(["admin"], adminId);
});
afterAll(() => h.stop());

/** configureRgsProvider as admin (unless told; null: anonymous), checking that the answer holds no secret. */
async function configure(input: Record<string, unknown>, token: string | null = admin) {
  const res = await configureRgsProvider(h.games, input, token ?? undefined);
  expectNoSecret(res);
  return res;
}

async function configured(input: Record<string, unknown>) {
  const res = await configure(input);
  expect(res.errors).toBeUndefined();
  return res.data!.configureRgsProvider;
}

interface TestProvider {
  id: string;
  code: string;
  gameCode: string;
}

/** A new remote provider of the protocol with one game. */
async function newProvider(protocol: "hub88" | "softswiss"): Promise<TestProvider> {
  const code = `${protocol}-${randomUUID().slice(0, 8)}`;
  const provider = await upsertProvider(h.games, { code, integration: protocol === "hub88" ? "AGGREGATOR" : "DIRECT", protocol }, admin);
  expect(provider.errors).toBeUndefined();
  const id = provider.data!.upsertProvider.id;
  const game = await upsertGame(h.games, gameInput(id, { code: `${code}-slot` }), admin);
  expect(game.errors).toBeUndefined();
  return { id, code, gameCode: `${code}-slot` };
}

async function demoProvider(code: string): Promise<TestProvider & { gameId: string }> {
  const provider = await h.games.runtime.prisma.provider.findUniqueOrThrow({ where: { code }, include: { games: { orderBy: { code: "asc" } } } });
  const game = provider.games.find((g) => g.type === "SLOT")!;
  return { id: provider.id, code, gameCode: game.code, gameId: game.id };
}

/** Everything configureRgsProvider may write for a provider. */
async function stateOf(providerId: string) {
  const prisma = h.games.runtime.prisma;
  return {
    config: await prisma.rgsProviderConfig.findUnique({ where: { providerId } }),
    launchUrlTemplate: (await prisma.provider.findUnique({ where: { id: providerId } }))?.launchUrlTemplate,
    events: await prisma.outboxEvent.count({ where: { aggregateId: providerId, type: "games.rgs_provider_configured" } }),
  };
}

const configuredEvents = (providerId: string) =>
  h.games.runtime.prisma.outboxEvent.findMany({ where: { aggregateId: providerId, type: "games.rgs_provider_configured" }, orderBy: { seq: "asc" } });

const hub88Credentials = (operatorPrivateKey: unknown = { env: OPERATOR_KEY_VARIABLE }, partnerPublicKey: unknown = HUB88_PARTNER_KEYS.publicKeyPem) => [
  { name: "partnerPublicKey", ...(typeof partnerPublicKey === "string" ? { value: partnerPublicKey } : (partnerPublicKey as object)) },
  { name: "operatorPrivateKey", ...(typeof operatorPrivateKey === "string" ? { value: operatorPrivateKey } : (operatorPrivateKey as object)) },
];

const softswiss = (baseUrl: string, key: string) => new SoftswissSimulator({ baseUrl, secret: key });
/** A SoftSwiss-style balance request (no actions, no session). */
const softswissBalance = (sim: SoftswissSimulator, playerId: string) => sim.send("/play", { user_id: playerId, currency: "GBP", game: "any", game_id: `round-${randomUUID()}` });

function expectSoftswissError(reply: SoftswissReply, code: number) {
  expect(reply.delivery.status).toBe(412);
  expect(reply.answer?.code).toBe(code);
}

describe("who may configure and read RGS providers", () => {
  it.each([
    ["anonymous callers", null, "UNAUTHENTICATED"],
    ["players", "player", "FORBIDDEN"],
    ["support staff", "support", "FORBIDDEN"],
    ["kyc staff", "kyc", "FORBIDDEN"],
    ["compliance staff", "compliance", "FORBIDDEN"],
    ["finance staff", "finance", "FORBIDDEN"],
  ] as const)("refuses %s (%s) and writes nothing", async (_who, role, code) => {
    const provider = await newProvider("softswiss");
    const token = role === null ? null : role === "player" ? await h.games.tokens.player() : await h.games.tokens.staff([role]);
    const before = await stateOf(provider.id);

    const configureRes = await configure({ providerId: provider.id, credentials: [{ name: "hmacSecret", value: newHmacSecret() }], allowedCurrencies: ["GBP"] }, token);
    const oneRes = await queryRgsProviderConfig(h.games, provider.id, token ?? undefined);
    const allRes = await queryRgsProviderConfigs(h.games, token ?? undefined);

    expect([
      { code: configureRes.errors?.[0]?.extensions?.code, value: configureRes.data?.configureRgsProvider ?? null },
      { code: oneRes.errors?.[0]?.extensions?.code, value: oneRes.data?.rgsProviderConfig ?? null },
      { code: allRes.errors?.[0]?.extensions?.code, value: allRes.data?.rgsProviderConfigs ?? null },
    ]).toEqual([
      { code, value: null },
      { code, value: null },
      { code, value: null },
    ]);
    expect(await stateOf(provider.id)).toEqual(before);
  });

  it("lets admin staff configure and read", async () => {
    const provider = await newProvider("softswiss");
    const config = await configured({ providerId: provider.id, credentials: [{ name: "hmacSecret", value: newHmacSecret() }], allowedCurrencies: ["GBP"] });
    expect(config).toMatchObject({ provider: { id: provider.id }, configured: true });
    const read = await queryRgsProviderConfig(h.games, provider.id, admin);
    expect(read.errors).toBeUndefined();
    expect(read.data!.rgsProviderConfig).toEqual(config);
  });
});

describe("configuring and reading", () => {
  it("configures a SoftSwiss-style provider, shows that its secret is stored but never the secret, and audits who changed which fields", async () => {
    const provider = await newProvider("softswiss");
    const hmacSecret = newHmacSecret();

    const before = await queryRgsProviderConfig(h.games, provider.id, admin);
    expect(before.data!.rgsProviderConfig).toMatchObject({
      protocol: "softswiss",
      configured: false,
      enabled: false,
      credentialsValid: false,
      updatedBy: null,
      credentials: [{ name: "hmacSecret", secret: true, source: "UNSET", env: null, publicValue: null, valid: false }],
    });

    const config = await configured({
      providerId: provider.id,
      credentials: [{ name: "hmacSecret", value: hmacSecret }],
      allowedCurrencies: ["gbp", "EUR", "GBP"],
      allowedGameCodes: [provider.gameCode, provider.gameCode],
      launchUrlTemplate: " https://games.example.com/launch?token={token}&game={game}&mode={mode}&currency={currency}&lang={lang} ",
    });
    expect(config).toEqual({
      protocol: "softswiss",
      configured: true,
      enabled: true,
      allowedCurrencies: ["GBP", "EUR"],
      allowedGameCodes: [provider.gameCode],
      launchUrlTemplate: "https://games.example.com/launch?token={token}&game={game}&mode={mode}&currency={currency}&lang={lang}",
      credentialsValid: true,
      updatedAt: expect.any(String),
      updatedBy: adminId,
      provider: { id: provider.id, code: provider.code },
      credentials: [{ name: "hmacSecret", secret: true, source: "STORED", env: null, publicValue: null, valid: true }],
    });

    const stored = await h.games.runtime.prisma.rgsProviderConfig.findUniqueOrThrow({ where: { providerId: provider.id } });
    expect(stored).toMatchObject({ credentials: { hmacSecret }, allowedCurrencies: ["GBP", "EUR"], updatedBy: adminId });
    const events = await configuredEvents(provider.id);
    expect(events.map((e) => e.payload)).toEqual([
      {
        providerId: provider.id,
        providerCode: provider.code,
        protocol: "softswiss",
        changedBy: adminId,
        fields: ["enabled", "allowedCurrencies", "allowedGameCodes", "launchUrlTemplate", "credentials.hmacSecret"],
      },
    ]);
    expectNoSecret(events);
  });

  it("shows a Hub88 partner's public key and the variable holding the operator's key, never a private key", async () => {
    const provider = await newProvider("hub88");
    const config = await configured({ providerId: provider.id, credentials: hub88Credentials(), allowedCurrencies: ["GBP"] });
    expect(config.credentials).toEqual([
      { name: "partnerPublicKey", secret: false, source: "STORED", env: null, publicValue: HUB88_PARTNER_KEYS.publicKeyPem, valid: true },
      { name: "operatorPrivateKey", secret: true, source: "ENV", env: OPERATOR_KEY_VARIABLE, publicValue: null, valid: true },
    ]);
    expect(config.credentialsValid).toBe(true);
    expectNoSecret(await queryRgsProviderConfig(h.games, provider.id, admin));
  });

  it("lists every remote provider, configured or not, and no proprietary one", async () => {
    const unconfigured = await newProvider("hub88");
    const res = await queryRgsProviderConfigs(h.games, admin);
    expectNoSecret(res);
    expect(res.errors).toBeUndefined();
    const byCode = new Map(res.data!.rgsProviderConfigs.map((c) => [c.provider.code, c]));
    expect(byCode.get(unconfigured.code)).toMatchObject({ protocol: "hub88", configured: false, enabled: false });
    expect(byCode.get("aurora-studios")).toMatchObject({ protocol: "hub88" });
    expect(byCode.get("emberline-gaming")).toMatchObject({ protocol: "softswiss" });
    expect(byCode.has("casino-originals")).toBe(false);
    const proprietary = await h.games.runtime.prisma.provider.findUniqueOrThrow({ where: { code: "casino-originals" } });
    expect((await queryRgsProviderConfig(h.games, proprietary.id, admin)).data).toEqual({ rgsProviderConfig: null });
  });

  it("writes nothing, not even an event, when an update changes nothing", async () => {
    const provider = await newProvider("softswiss");
    const input = { providerId: provider.id, credentials: [{ name: "hmacSecret", value: newHmacSecret() }], allowedCurrencies: ["GBP"] };
    await configured(input);
    const before = await stateOf(provider.id);
    expect(before.events).toBe(1);
    await configured(input);
    await configured({ providerId: provider.id });
    expect(await stateOf(provider.id)).toEqual(before);
  });

  it("keeps the stored secret when an update names other fields, and records only those", async () => {
    const provider = await newProvider("softswiss");
    const hmacSecret = newHmacSecret();
    await configured({ providerId: provider.id, credentials: [{ name: "hmacSecret", value: hmacSecret }], allowedCurrencies: ["GBP"] });
    const config = await configured({ providerId: provider.id, allowedCurrencies: ["EUR", "GBP"], launchUrlTemplate: "http://localhost:8080/play#t={token}" });
    expect(config).toMatchObject({ allowedCurrencies: ["EUR", "GBP"], launchUrlTemplate: "http://localhost:8080/play#t={token}", credentialsValid: true });
    expect((await h.games.runtime.prisma.rgsProviderConfig.findUniqueOrThrow({ where: { providerId: provider.id } })).credentials).toEqual({ hmacSecret });
    expect((await configuredEvents(provider.id)).map((e) => (e.payload as { fields: string[] }).fields)[1]).toEqual(["allowedCurrencies", "launchUrlTemplate"]);

    const player = await h.fundedPlayer(4_200n);
    const sim = softswiss(`${h.rgsUrl}/${provider.code}`, hmacSecret);
    const reply = await softswissBalance(sim, player);
    await sim.close();
    expect(reply.delivery.status).toBe(200);
    expect(reply.answer?.balance).toBe(4_200);
  });

  it("removes the launch URL template when told null", async () => {
    const provider = await newProvider("softswiss");
    await configured({ providerId: provider.id, credentials: [{ name: "hmacSecret", value: newHmacSecret() }], allowedCurrencies: ["GBP"], launchUrlTemplate: "https://x.example/?t={token}" });
    const config = await configured({ providerId: provider.id, launchUrlTemplate: null });
    expect(config.launchUrlTemplate).toBeNull();
    expect((await stateOf(provider.id)).launchUrlTemplate).toBeNull();
  });
});

interface ValidationContext {
  hub88: TestProvider;
  softswiss: TestProvider;
}

describe("bad input", () => {
  const ctx = {} as ValidationContext;
  beforeAll(async () => {
    ctx.hub88 = await newProvider("hub88");
    ctx.softswiss = await newProvider("softswiss");
  });

  const ss = (input: Record<string, unknown> = {}) => (c: ValidationContext) => ({
    providerId: c.softswiss.id,
    credentials: [{ name: "hmacSecret", value: newHmacSecret() }],
    allowedCurrencies: ["GBP"],
    ...input,
  });
  const hub = (input: Record<string, unknown> = {}) => (c: ValidationContext) => ({ providerId: c.hub88.id, credentials: hub88Credentials(), allowedCurrencies: ["GBP"], ...input });

  it.each<[string, (c: ValidationContext) => Record<string, unknown>, string[]]>([
    ["a secret held by an environment variable that is not set", ss({ credentials: [{ name: "hmacSecret", env: "NO_SUCH_RGS_SECRET" }] }), ["credentials.hmacSecret"]],
    ["a first configuration without credentials", ss({ credentials: undefined }), ["credentials.hmacSecret"]],
    ["a private key that is no PEM key", hub({ credentials: hub88Credentials(secret(`not-a-key-${randomBytes(16).toString("hex")}`)) }), ["credentials.operatorPrivateKey"]],
    ["a private key pasted as the partner's public key", hub({ credentials: hub88Credentials(undefined, secret(rsaKeys().privateKey)) }), ["credentials.partnerPublicKey"]],
    ["an EC key where Hub88 signs with RSA", hub({ credentials: hub88Credentials(EC_PRIVATE_KEY) }), ["credentials.operatorPrivateKey"]],
    ["two bad keys", hub({ credentials: hub88Credentials(secret(`bad-${randomBytes(16).toString("hex")}`), "-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----") }), ["credentials.partnerPublicKey", "credentials.operatorPrivateKey"]],
    ["a credential the protocol does not have (named by position only)", ss({ credentials: [{ name: secret(`k${randomBytes(20).toString("hex")}`), value: newHmacSecret() }] }), ["credentials[0].name"]],
    ["a credential given as value and env at once", ss({ credentials: [{ name: "hmacSecret", value: newHmacSecret(), env: "SOME_SECRET" }] }), ["credentials.hmacSecret"]],
    ["a credential named twice", ss({ credentials: [{ name: "hmacSecret", value: newHmacSecret() }, { name: "hmacSecret", value: newHmacSecret() }] }), ["credentials.hmacSecret"]],
    ["a public key given as an environment variable", hub({ credentials: hub88Credentials(undefined, { env: "PARTNER_KEY" }) }), ["credentials.partnerPublicKey"]],
    ["a currency that is no ISO 4217 code", ss({ allowedCurrencies: ["GBP", "XYZ"] }), ["allowedCurrencies"]],
    ["an empty list of currencies", ss({ allowedCurrencies: [] }), ["allowedCurrencies"]],
    ["a game of another provider", ss({ allowedGameCodes: ["aurora-riches"] }), ["allowedGameCodes"]],
    ["a launch URL over plain http", ss({ launchUrlTemplate: "http://games.example.com/?t={token}" }), ["launchUrlTemplate"]],
    ["a launch URL without {token}", ss({ launchUrlTemplate: "https://games.example.com/?g={game}" }), ["launchUrlTemplate"]],
    ["a placeholder in the launch URL's host", ss({ launchUrlTemplate: "https://{game}.example.com/?t={token}" }), ["launchUrlTemplate"]],
    ["an unknown placeholder", ss({ launchUrlTemplate: "https://games.example.com/?t={token}&u={user}" }), ["launchUrlTemplate"]],
    ["a relative launch URL", ss({ launchUrlTemplate: "/launch?t={token}" }), ["launchUrlTemplate"]],
    ["an unknown provider", ss({ providerId: randomUUID() }), ["providerId"]],
  ])("refuses %s as BAD_USER_INPUT naming the fields, and writes nothing", async (_case, inputOf, fields) => {
    const input = inputOf(ctx);
    const before = [await stateOf(ctx.hub88.id), await stateOf(ctx.softswiss.id)];
    const res = await configure(input);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields });
    expect(res.data).toBeNull();
    expect([await stateOf(ctx.hub88.id), await stateOf(ctx.softswiss.id)]).toEqual(before);
  });

  it("says which variable is not set", async () => {
    const res = await configure(ss({ credentials: [{ name: "hmacSecret", env: "NO_SUCH_RGS_SECRET" }] })(ctx));
    expect(res.errors?.[0]?.message).toBe("credentials.hmacSecret: environment variable NO_SUCH_RGS_SECRET is not set in the games service");
  });

  it("refuses a proprietary provider", async () => {
    const proprietary = await h.games.runtime.prisma.provider.findUniqueOrThrow({ where: { code: "casino-originals" } });
    const res = await configure({ providerId: proprietary.id, credentials: [{ name: "hmacSecret", value: newHmacSecret() }], allowedCurrencies: ["GBP"] });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: ["providerId"] });
    expect(await stateOf(proprietary.id)).toEqual({ config: null, launchUrlTemplate: null, events: 0 });
  });
});

describe("callbacks of providers configured through the API", () => {
  const LAUNCH = `mutation($g: ID!) { launchGame(gameId: $g, mode: REAL) { url token } }`;
  const launch = async (gameId: string, playerId: string) => h.games.graphql<{ launchGame: { url: string; token: string } }>(LAUNCH, { g: gameId }, await h.games.tokens.player(playerId));

  it("the seeded SoftSwiss-style studio launches and serves signed callbacks once configured, and refuses the old secret at once after a rotation", async () => {
    const studio = await demoProvider("emberline-gaming");
    const player = await h.fundedPlayer(10_000n);
    const first = newHmacSecret();
    const sim = softswiss(`${h.rgsUrl}/${studio.code}`, first);
    const round = (token: string) => ({ user_id: player, session_id: token, currency: "GBP", game: studio.gameCode, game_id: `round-${randomUUID()}` });
    const bet = (token: string, s: SoftswissSimulator = sim) => s.send("/play", { ...round(token), finished: false, actions: [{ action: "bet", action_id: randomUUID(), amount: 100 }] });

    // Unconfigured: neither launched nor served.
    expect((await launch(studio.gameId, player)).errors?.[0]?.extensions?.code).toBe("GAME_NOT_AVAILABLE");
    expectSoftswissError(await softswissBalance(sim, player), 401);

    await configured({
      providerId: studio.id,
      credentials: [{ name: "hmacSecret", value: first }],
      allowedCurrencies: ["GBP"],
      launchUrlTemplate: "https://games.emberline.example/launch?token={token}&game={game}&mode={mode}",
    });
    const launched = await launch(studio.gameId, player);
    expect(launched.errors).toBeUndefined();
    const { url, token } = launched.data!.launchGame;
    expect(url).toBe(`https://games.emberline.example/launch?token=${encodeURIComponent(token)}&game=${studio.gameCode}&mode=real`);
    const accepted = await bet(token);
    expect(accepted.delivery.status).toBe(200);
    expect(accepted.answer?.balance).toBe(9_900);

    const second = newHmacSecret();
    const rotated = await configured({ providerId: studio.id, credentials: [{ name: "hmacSecret", value: second }] });
    expect(rotated.credentials).toEqual([{ name: "hmacSecret", secret: true, source: "STORED", env: null, publicValue: null, valid: true }]);
    expectSoftswissError(await bet(token), 403);
    const next = softswiss(`${h.rgsUrl}/${studio.code}`, second);
    const afterRotation = await bet(token, next);
    expect(afterRotation.delivery.status).toBe(200);
    expect(afterRotation.answer?.balance).toBe(9_800);

    // A bad rotation changes nothing: the second secret still serves.
    const refused = await configure({ providerId: studio.id, credentials: [{ name: "hmacSecret", env: "NO_SUCH_RGS_SECRET" }] });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", fields: ["credentials.hmacSecret"] });
    expect((await bet(token, next)).answer?.balance).toBe(9_700);

    await Promise.all([sim.close(), next.close()]);
  });

  it("the seeded Hub88 aggregator is served and its answers signed once configured, and either key's rotation takes effect at once", async () => {
    const studio = await demoProvider("aurora-studios");
    const player = await h.fundedPlayer(10_000n);
    const simWith = (partnerPrivateKeyPem: string, operatorPublicKeyPem: string) => new Hub88Simulator({ baseUrl: `${h.rgsUrl}/${studio.code}`, partnerPrivateKeyPem, operatorPublicKeyPem });
    const info = (sim: Hub88Simulator) => sim.send("/user/info", { user: player, request_uuid: randomUUID() });
    const sim = simWith(HUB88_PARTNER_KEYS.privateKeyPem, OPERATOR_KEYS.publicKey);

    expect((await info(sim)).answer?.status).toBe("RS_ERROR_INVALID_PARTNER");
    await configured({ providerId: studio.id, credentials: hub88Credentials(), allowedCurrencies: ["GBP"], launchUrlTemplate: "https://aurora.example/{game}?token={token}" });
    const launched = await launch(studio.gameId, player);
    expect(launched.errors).toBeUndefined();
    const bet = await sim.send("/transaction/bet", {
      user: player,
      token: launched.data!.launchGame.token,
      request_uuid: randomUUID(),
      transaction_uuid: randomUUID(),
      round: `r-${randomUUID()}`,
      game_code: studio.gameCode,
      currency: "GBP",
      amount: 250_000,
      is_free: false,
      bet: "spin",
    });
    expect(bet.answer).toMatchObject({ status: "RS_OK", balance: 9_750_000, currency: "GBP" });
    expect(bet.signedByOperator).toBe(true);

    // The partner's key: the old one is refused at once, the new one served.
    const partner = rsaKeys();
    secret(partner.privateKey);
    await configured({ providerId: studio.id, credentials: [{ name: "partnerPublicKey", value: partner.publicKey }] });
    expect((await info(sim)).answer?.status).toBe("RS_ERROR_INVALID_SIGNATURE");
    const partnerSim = simWith(partner.privateKey, OPERATOR_KEYS.publicKey);
    expect(await info(partnerSim)).toMatchObject({ answer: { status: "RS_OK" }, signedByOperator: true });

    // The operator's key, now stored inline: answers are signed with the new one at once.
    const operator = rsaKeys();
    const config = await configured({ providerId: studio.id, credentials: [{ name: "operatorPrivateKey", value: secret(operator.privateKey) }] });
    expect(config.credentials.map((c) => [c.name, c.source, c.publicValue])).toEqual([
      ["partnerPublicKey", "STORED", partner.publicKey],
      ["operatorPrivateKey", "STORED", null],
    ]);
    expect(await info(partnerSim)).toMatchObject({ answer: { status: "RS_OK" }, signedByOperator: false });
    const operatorSim = simWith(partner.privateKey, operator.publicKey);
    expect(await info(operatorSim)).toMatchObject({ answer: { status: "RS_OK" }, signedByOperator: true });

    await Promise.all([sim.close(), partnerSim.close(), operatorSim.close()]);
  });

  it("refuses callbacks at once when RGS is disabled through the API or the provider in the catalogue, and serves them again when enabled", async () => {
    const provider = await newProvider("softswiss");
    const hmacSecret = newHmacSecret();
    await configured({ providerId: provider.id, credentials: [{ name: "hmacSecret", value: hmacSecret }], allowedCurrencies: ["GBP"] });
    const player = await h.fundedPlayer(500n);
    const sim = softswiss(`${h.rgsUrl}/${provider.code}`, hmacSecret);
    expect((await softswissBalance(sim, player)).answer?.balance).toBe(500);

    expect((await configured({ providerId: provider.id, enabled: false })).enabled).toBe(false);
    expectSoftswissError(await softswissBalance(sim, player), 401);
    await configured({ providerId: provider.id, enabled: true });
    expect((await softswissBalance(sim, player)).answer?.balance).toBe(500);

    const disabled = await upsertProvider(h.games, { code: provider.code, integration: "DIRECT", protocol: "softswiss", enabled: false }, admin);
    expect(disabled.errors).toBeUndefined();
    expectSoftswissError(await softswissBalance(sim, player), 401);
    await sim.close();
  });
});
