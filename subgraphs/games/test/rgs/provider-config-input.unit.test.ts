import type { GraphQLError } from "graphql";
import type { AnyRgsAdapter } from "../../src/rgs/adapter.ts";
import { hub88Adapter } from "../../src/rgs/hub88/adapter.ts";
import { launchUrlTemplateProblem, parseConfigureRgsProviderInput } from "../../src/rgs/provider-config-input.ts";
import { softswissAdapter } from "../../src/rgs/softswiss/adapter.ts";

const PROVIDER_ID = "7d6f3c1e-2b9a-4f0e-9a51-0c2d3e4f5a6b";

/** The BAD_USER_INPUT error's extensions and message of parsing `input` for the adapter. */
function refusal(input: Record<string, unknown>, adapter: AnyRgsAdapter = softswissAdapter) {
  try {
    parseConfigureRgsProviderInput({ providerId: PROVIDER_ID, ...input }, adapter);
  } catch (err) {
    const e = err as GraphQLError;
    return { message: e.message, ...e.extensions };
  }
  throw new Error("the input was accepted");
}

describe("launch URL templates", () => {
  it.each([
    "https://games.example.com/launch?token={token}",
    "https://games.example.com:8443/{game}/{mode}?token={token}&session={session}&currency={currency}&lang={lang}",
    "https://games.example.com/launch#token={token}",
    "http://localhost:3000/play?token={token}",
    "http://127.0.0.1/play?token={token}",
  ])("accepts %s", (template) => {
    expect(launchUrlTemplateProblem(template)).toBeNull();
  });

  it.each([
    ["", "must be 1-2048 characters"],
    [`https://games.example.com/?token={token}&pad=${"x".repeat(2_048)}`, "must be 1-2048 characters"],
    ["https://games.example.com/?game={game}", "must contain {token} (the game client's session token)"],
    ["https://games.example.com/?token={token}&player={player_id}", "unknown placeholder {player_id}; allowed: {token} {session} {game} {mode} {currency} {lang}"],
    ["https://games.example.com/?token={token}}", "has an unpaired brace"],
    ["https://games.example.com/?token={{token}", "has an unpaired brace"],
    ["/launch?token={token}", "must be an absolute URL, e.g. https://games.example.com/launch?token={token}"],
    ["http://games.example.com/?token={token}", "must be an https URL (http only for localhost)"],
    ["javascript:alert(1)//{token}", "must be an https URL (http only for localhost)"],
    ["ftp://games.example.com/?token={token}", "must be an https URL (http only for localhost)"],
    ["https://user:pass@games.example.com/?token={token}", "must not hold a user name or password"],
    ["https://{game}.example.com/?token={token}", "must not have placeholders in its scheme, host or port"],
    ["https://games.example.com{lang}/?token={token}", "must not have placeholders in its scheme, host or port"],
    ["https://games.example.com:44{lang}/?token={token}", "must not have placeholders in its scheme, host or port"],
  ])("refuses %s: %s", (template, problem) => {
    expect(launchUrlTemplateProblem(template)).toBe(problem);
  });
});

describe("configureRgsProvider input", () => {
  it("normalises currencies (upper case, first given first, no repeats) and game codes (sorted, no repeats)", () => {
    const draft = parseConfigureRgsProviderInput(
      { providerId: PROVIDER_ID, allowedCurrencies: [" eur", "GBP", "EUR"], allowedGameCodes: ["b-game", " a-game", "b-game"], launchUrlTemplate: " https://x.example/?t={token} " },
      softswissAdapter,
    );
    expect(draft).toEqual({
      enabled: undefined,
      credentials: undefined,
      allowedCurrencies: ["EUR", "GBP"],
      allowedGameCodes: ["a-game", "b-game"],
      launchUrlTemplate: "https://x.example/?t={token}",
    });
  });

  it("tells an omitted template (keep it) from a null one (remove it)", () => {
    expect(parseConfigureRgsProviderInput({ providerId: PROVIDER_ID }, softswissAdapter).launchUrlTemplate).toBeUndefined();
    expect(parseConfigureRgsProviderInput({ providerId: PROVIDER_ID, launchUrlTemplate: null }, softswissAdapter).launchUrlTemplate).toBeNull();
  });

  it("keeps credentials as stored: a value, or a reference to an environment variable", () => {
    const draft = parseConfigureRgsProviderInput(
      { providerId: PROVIDER_ID, credentials: [{ name: "partnerPublicKey", value: "-----BEGIN PUBLIC KEY-----" }, { name: "operatorPrivateKey", env: "HUB88_OPERATOR_KEY" }] },
      hub88Adapter,
    );
    expect(draft.credentials).toEqual(new Map<string, unknown>([["partnerPublicKey", "-----BEGIN PUBLIC KEY-----"], ["operatorPrivateKey", { env: "HUB88_OPERATOR_KEY" }]]));
  });

  it.each([
    [{ allowedCurrencies: ["GBP", "XYZ"] }, ["allowedCurrencies"], 'allowedCurrencies: "XYZ" is not a supported ISO 4217 currency code'],
    [{ allowedCurrencies: ["POUNDS"] }, ["allowedCurrencies"], 'allowedCurrencies: "POUNDS" is not a supported ISO 4217 currency code'],
    [{ allowedCurrencies: [] }, ["allowedCurrencies"], "allowedCurrencies: needs at least one currency"],
    [{ allowedGameCodes: ["Bad Code"] }, ["allowedGameCodes"], `allowedGameCodes: "Bad Code" is not a game code (2-64 lower-case letters, digits, '_' or '-')`],
    [{ launchUrlTemplate: "https://x.example/" }, ["launchUrlTemplate"], "launchUrlTemplate: must contain {token} (the game client's session token)"],
    [
      { allowedCurrencies: ["XYZ"], launchUrlTemplate: "http://x.example/?t={token}" },
      ["allowedCurrencies", "launchUrlTemplate"],
      'allowedCurrencies: "XYZ" is not a supported ISO 4217 currency code; launchUrlTemplate: must be an https URL (http only for localhost)',
    ],
  ])("refuses %j naming %j", (input, fields, message) => {
    expect(refusal(input)).toEqual({ code: "BAD_USER_INPUT", field: fields[0], fields, message });
  });

  it.each([
    [{ name: "hmacSecret", value: "s3cret-value", env: "ALSO_SET" }, "credentials.hmacSecret: give either value or env"],
    [{ name: "hmacSecret" }, "credentials.hmacSecret: give either value or env"],
    [{ name: "hmacSecret", value: "   " }, "credentials.hmacSecret: value must be 1-16384 characters, not blank"],
    [{ name: "hmacSecret", value: "x".repeat(16_385) }, "credentials.hmacSecret: value must be 1-16384 characters, not blank"],
    [{ name: "hmacSecret", env: "lower_case" }, "credentials.hmacSecret: env must name an environment variable (A-Z, 0-9, _; starting with a letter)"],
  ])("refuses the credential %j without showing its value", (credential, message) => {
    expect(refusal({ credentials: [credential] })).toEqual({ code: "BAD_USER_INPUT", field: message.split(":")[0], fields: [message.split(":")[0]], message });
  });

  it("names a credential the protocol does not have by its position only (it may be a secret in the wrong box)", () => {
    const pasted = "a3f9c2d4e5b6a7980123456789abcdef0123456789abcdef0123456789abcd";
    const refused = refusal({ credentials: [{ name: "hmacSecret", value: "fine" }, { name: pasted, value: "x" }] });
    expect(refused).toEqual({
      code: "BAD_USER_INPUT",
      field: "credentials[1].name",
      fields: ["credentials[1].name"],
      message: "credentials[1].name: is not a credential of the softswiss protocol (hmacSecret)",
    });
  });

  it("refuses a credential named twice and a public key held by an environment variable", () => {
    expect(refusal({ credentials: [{ name: "hmacSecret", value: "a" }, { name: "hmacSecret", value: "b" }] })).toMatchObject({ fields: ["credentials.hmacSecret"], message: "credentials.hmacSecret: is named twice" });
    expect(refusal({ credentials: [{ name: "partnerPublicKey", env: "PARTNER_KEY" }] }, hub88Adapter)).toMatchObject({
      fields: ["credentials.partnerPublicKey"],
      message: "credentials.partnerPublicKey: is not a secret: give its value, not env",
    });
  });
});
