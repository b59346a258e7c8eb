import { startGamstopFake, type GamstopFake } from "@casino/gamstop-fake";

// The fake's own contract, checked with plain fetch (the client never sends these requests).
const API_KEY = "fake-contract-key";
const form = "firstName=Harry&lastName=Potter&dateOfBirth=1980-07-31&email=harry%40example.com&postcode=HP11AA";
const formHeaders = { "x-api-key": API_KEY, "content-type": "application/x-www-form-urlencoded" };

let fake: GamstopFake;

beforeAll(async () => {
  fake = await startGamstopFake({ apiKey: API_KEY, uniqueIdPrefix: "contract" });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());

describe("gamstop-fake", () => {
  it("answers 200 with X-Exclusion, X-Unique-Id and Date, and an empty body", async () => {
    const res = await fetch(fake.url, { method: "POST", headers: formHeaders, body: form });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-exclusion")).toBe("N");
    expect(res.headers.get("x-unique-id")).toMatch(/^contract-[0-9a-f]{8}$/);
    expect(Number.isNaN(new Date(res.headers.get("date") ?? "").getTime())).toBe(false);
    expect(await res.text()).toBe("");
  });

  it("answers 403 without a key or with a wrong one, and never records the key", async () => {
    const missing = await fetch(fake.url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form });
    const wrong = await fetch(fake.url, { method: "POST", headers: { ...formHeaders, "x-api-key": "guess-1234" }, body: form });
    expect([missing.status, wrong.status]).toEqual([403, 403]);
    expect(fake.requests.map((r) => r.apiKey)).toEqual(["missing", "wrong"]);
    expect(JSON.stringify(fake.requests)).not.toContain("guess-1234");
  });

  it("answers 400 for another content type or a missing or invalid field", async () => {
    const statuses = [];
    const json = await fetch(fake.url, { method: "POST", headers: { ...formHeaders, "content-type": "application/json" }, body: JSON.stringify({ firstName: "Harry" }) });
    statuses.push(json.status);
    for (const body of [form.replace("&postcode=HP11AA", ""), form.replace("1980-07-31", "31-07-1980"), form.replace("harry%40example.com", "harry"), form.replace("firstName=Harry", "firstName=%20")]) {
      statuses.push((await fetch(fake.url, { method: "POST", headers: formHeaders, body })).status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
  });

  it("answers 405 to anything but POST", async () => {
    const res = await fetch(fake.url, { headers: { "x-api-key": API_KEY } });
    expect(res.status).toBe(405);
  });

  it("queues failures one per request", async () => {
    fake.failNext("500");
    fake.failNext("garbage");
    const first = await fetch(fake.url, { method: "POST", headers: formHeaders, body: form });
    const second = await fetch(fake.url, { method: "POST", headers: formHeaders, body: form });
    const third = await fetch(fake.url, { method: "POST", headers: formHeaders, body: form });
    expect([first.status, second.status, third.status]).toEqual([500, 200, 200]);
    expect([second.headers.get("x-exclusion"), second.headers.get("x-unique-id")]).toEqual(["MAYBE", null]);
    expect(third.headers.get("x-exclusion")).toBe("N");
  });
});
