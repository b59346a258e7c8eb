import { startGamstopFake, type GamstopFake } from "@casino/gamstop-fake";
import {
  GamstopClient,
  GamstopConfigurationError,
  GamstopRequestError,
  GamstopUnavailableError,
  isBlocking,
  type GamstopCheckRequest,
  type GamstopClientOptions,
  type GamstopLogger,
} from "../../src/gamstop/index.ts";

const API_KEY = "test-gamstop-key-5f2c";

const harry = {
  firstName: "Harry",
  lastName: "Potter",
  dateOfBirth: "1980-07-31",
  email: "harry.potter@example.com",
  postcode: "HP1 1AA",
};
const lapsed = {
  firstName: "Hermione",
  lastName: "Granger",
  dateOfBirth: "1979-09-19",
  email: "hermione@example.org",
  postcode: "N1 9GU",
};
const longName = {
  firstName: "Hubert",
  lastName: "Wolfeschlegelsteinhausenbergerdorff",
  dateOfBirth: "1914-08-29",
  email: "hubert@example.net",
  postcode: "SW1A 2AA",
};
const stranger = {
  firstName: "Ronald",
  lastName: "Weasley",
  dateOfBirth: "1980-03-01",
  email: "ron@example.com",
  postcode: "OX1 1AA",
};

let fake: GamstopFake;
const logged: Array<{ obj: Record<string, unknown>; msg: string }> = [];
const logger: GamstopLogger = { warn: (obj, msg) => logged.push({ obj, msg }) };

const client = (overrides: Partial<GamstopClientOptions> = {}) => new GamstopClient({ baseUrl: fake.url, apiKey: API_KEY, logger, ...overrides });

async function unavailable(promise: Promise<unknown>): Promise<GamstopUnavailableError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(GamstopUnavailableError);
  return caught as GamstopUnavailableError;
}

beforeAll(async () => {
  fake = await startGamstopFake({
    apiKey: API_KEY,
    exclusions: [
      { ...harry, status: "Y" },
      { ...lapsed, status: "P" },
      { ...longName, status: "Y" },
    ],
  });
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
  logged.length = 0;
});

describe("GamstopClient against the fake", () => {
  it("answers EXCLUDED (Y), PREVIOUSLY_EXCLUDED (P) and NOT_REGISTERED (N)", async () => {
    const gamstop = client();
    const excluded = await gamstop.check(harry);
    const previously = await gamstop.check(lapsed);
    const notRegistered = await gamstop.check(stranger);

    expect([excluded.outcome, previously.outcome, notRegistered.outcome]).toEqual(["EXCLUDED", "PREVIOUSLY_EXCLUDED", "NOT_REGISTERED"]);
    expect([isBlocking(excluded.outcome), isBlocking(previously.outcome), isBlocking(notRegistered.outcome)]).toEqual([true, false, false]);
    expect(fake.requests.map((r) => r.exclusion)).toEqual(["Y", "P", "N"]);
  });

  it("keeps a fresh X-Unique-Id per check as evidence", async () => {
    const gamstop = client();
    const first = await gamstop.check(harry);
    const second = await gamstop.check(harry);
    expect(first.uniqueId).toMatch(/\S/);
    expect(second.uniqueId).toMatch(/\S/);
    expect(second.uniqueId).not.toBe(first.uniqueId);
  });

  it("sends a form-encoded POST with the key, the trace id and the normalised fields", async () => {
    const check = await client().check({ ...harry, firstName: " Harry ", postcode: "hp1 1aa", traceId: "registration-7c1e" });

    expect(check.traceId).toBe("registration-7c1e");
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      apiKey: "valid",
      traceId: "registration-7c1e",
      fields: { firstName: "Harry", lastName: "Potter", dateOfBirth: "1980-07-31", email: "harry.potter@example.com", postcode: "HP11AA" },
    });
    expect(fake.requests[0]?.contentType?.split(";")[0]).toBe("application/x-www-form-urlencoded");
  });

  it("generates a trace id when the caller gives none, and sends the one it returns", async () => {
    const check = await client().check(stranger);
    expect(check.traceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fake.requests[0]?.traceId).toBe(check.traceId);
  });

  it("takes checkedAt from GAMSTOP's Date header", async () => {
    const farPast = new Date("2001-01-01T00:00:00Z");
    const before = Date.now();
    const check = await client({ now: () => farPast }).check(harry);
    // The header has second precision: allow for the truncation.
    expect(check.checkedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(check.checkedAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("falls back to the local clock when the answer has no Date header", async () => {
    const localNow = new Date("2026-11-24T12:34:56.789Z");
    const withoutDate: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const headers = new Headers(res.headers);
      headers.delete("date");
      return new Response(null, { status: res.status, headers });
    };
    const check = await client({ now: () => localNow, fetch: withoutDate }).check(harry);
    expect(check.outcome).toBe("EXCLUDED");
    expect(check.checkedAt).toEqual(localNow);
  });

  it("matches on the first 20 characters of the names only, case-insensitively", async () => {
    const gamstop = client();
    const sameFirst20 = await gamstop.check({ ...longName, lastName: "WOLFESCHLEGELSTEINHAxyz" });
    const truncated = await gamstop.check({ ...longName, lastName: "Wolfeschlegelsteinha" });
    const differsWithin20 = await gamstop.check({ ...longName, lastName: "Wolfeschlegelsteinhb" });
    const tooShort = await gamstop.check({ ...longName, lastName: "Wolfeschlegelstein" });
    expect([sameFirst20.outcome, truncated.outcome, differsWithin20.outcome, tooShort.outcome]).toEqual([
      "EXCLUDED",
      "EXCLUDED",
      "NOT_REGISTERED",
      "NOT_REGISTERED",
    ]);
    expect(fake.requests[0]?.fields.lastName).toBe("WOLFESCHLEGELSTEINHAxyz");
  });

  it("matches whatever the postcode's spacing and case", async () => {
    const gamstop = client();
    const outcomes = [];
    for (const postcode of ["HP1 1AA", "hp11aa", " Hp1   1aA ", "HP11AA"]) outcomes.push((await gamstop.check({ ...harry, postcode })).outcome);
    expect(outcomes).toEqual(["EXCLUDED", "EXCLUDED", "EXCLUDED", "EXCLUDED"]);
    expect(new Set(fake.requests.map((r) => r.fields.postcode))).toEqual(new Set(["HP11AA"]));
    expect((await gamstop.check({ ...harry, postcode: "HP1 1AB" })).outcome).toBe("NOT_REGISTERED");
  });

  it("matches the email case-insensitively and the date of birth exactly", async () => {
    const gamstop = client();
    expect((await gamstop.check({ ...harry, email: "Harry.Potter@EXAMPLE.com" })).outcome).toBe("EXCLUDED");
    expect((await gamstop.check({ ...harry, dateOfBirth: "1980-07-30" })).outcome).toBe("NOT_REGISTERED");
  });

  it("sees people added after the fake started", async () => {
    const gamstop = client();
    expect((await gamstop.check(stranger)).outcome).toBe("NOT_REGISTERED");
    const other = await startGamstopFake({ apiKey: API_KEY });
    try {
      other.add(stranger, "Y");
      expect((await client({ baseUrl: other.url }).check(stranger)).outcome).toBe("EXCLUDED");
    } finally {
      await other.stop();
    }
  });
});

describe("GamstopClient failures: cannot verify", () => {
  it("a wrong key is a GamstopConfigurationError (a GamstopUnavailableError that retrying will not fix)", async () => {
    const err = await unavailable(client({ apiKey: "not-the-key" }).check({ ...harry, traceId: "t-wrong-key" }));
    expect(err).toBeInstanceOf(GamstopConfigurationError);
    expect(err).toMatchObject({ reason: "UNAUTHORIZED", status: 403, retryable: false, traceId: "t-wrong-key" });
    expect(fake.requests.map((r) => r.apiKey)).toEqual(["wrong"]);
    expect(JSON.stringify(fake.requests)).not.toContain("not-the-key");
  });

  it("times out after the client's timeout", async () => {
    fake.failNext("timeout");
    const started = Date.now();
    const err = await unavailable(client({ timeoutMs: 150 }).check(harry));
    expect(err).toMatchObject({ reason: "TIMEOUT", retryable: true });
    expect(err).not.toBeInstanceOf(GamstopConfigurationError);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(fake.requests).toHaveLength(1);
    // The fake answers again afterwards.
    expect((await client().check(harry)).outcome).toBe("EXCLUDED");
  });

  it("cannot connect", async () => {
    const gone = await startGamstopFake({ apiKey: API_KEY });
    const url = gone.url;
    await gone.stop();
    const err = await unavailable(client({ baseUrl: url }).check(harry));
    expect(err).toMatchObject({ reason: "NETWORK", retryable: true });
  });

  it("a 500", async () => {
    fake.failNext("500");
    expect(await unavailable(client().check(harry))).toMatchObject({ reason: "SERVER_ERROR", status: 500 });
  });

  it("garbage in X-Exclusion", async () => {
    fake.failNext("garbage");
    expect(await unavailable(client().check(stranger))).toMatchObject({ reason: "UNKNOWN_EXCLUSION", status: 200 });
  });

  it("no X-Exclusion (never read as N)", async () => {
    fake.failNext("no-exclusion");
    expect(await unavailable(client().check(stranger))).toMatchObject({ reason: "MISSING_EXCLUSION" });
  });

  it("no X-Unique-Id (no evidence), even with a valid X-Exclusion", async () => {
    fake.failNext("no-unique-id");
    expect(await unavailable(client().check(stranger))).toMatchObject({ reason: "MISSING_UNIQUE_ID" });
    expect(fake.requests[0]?.exclusion).toBe("N");
  });

  it("GAMSTOP refusing the fields (400)", async () => {
    const dropPostcode: typeof fetch = (input, init) => {
      const body = new URLSearchParams(String(init?.body));
      body.delete("postcode");
      return fetch(input, { ...init, body: body.toString() });
    };
    expect(await unavailable(client({ fetch: dropPostcode }).check(harry))).toMatchObject({ reason: "REJECTED", status: 400, retryable: true });
    expect(fake.requests[0]?.status).toBe(400);
  });

  it("logs the trace id and the reason, never the key or the person", async () => {
    fake.failNext("500");
    await unavailable(client().check({ ...harry, traceId: "t-log" }));
    await unavailable(client({ apiKey: "another-secret-key" }).check({ ...lapsed, traceId: "t-log-2" }));

    expect(logged.map((l) => l.obj)).toEqual([
      { traceId: "t-log", reason: "SERVER_ERROR", status: 500 },
      { traceId: "t-log-2", reason: "UNAUTHORIZED", status: 403 },
    ]);
    const text = JSON.stringify(logged);
    for (const secret of [API_KEY, "another-secret-key", "Harry", "Potter", "Hermione", "Granger", "example", "1980-07-31", "1979-09-19", "HP1", "N19GU"]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("GamstopClient invalid requests", () => {
  it.each<[string, Partial<GamstopCheckRequest>, string]>([
    ["a blank first name", { firstName: " " }, "firstName"],
    ["an impossible date of birth", { dateOfBirth: "1980-02-30" }, "dateOfBirth"],
    ["a date of birth in another format", { dateOfBirth: "31/07/1980" }, "dateOfBirth"],
    ["an email without a domain", { email: "harry.potter" }, "email"],
    ["a non-UK postcode", { postcode: "75008" }, "postcode"],
    ["a trace id with a space", { traceId: "a b" }, "traceId"],
  ])("refuses %s before sending anything", async (_label, change, field) => {
    let caught: unknown;
    try {
      await client().check({ ...harry, ...change });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GamstopRequestError);
    expect(caught).not.toBeInstanceOf(GamstopUnavailableError);
    expect(caught).toMatchObject({ field });
    expect(fake.requests).toHaveLength(0);
  });
});
