import { startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient } from "../src/generated/prisma/client.ts";
import { playerService } from "../src/service.ts";
import { dataOf, errorOf } from "./support/graphql-data.ts";
import { playerInput, registerPlayer } from "./support/register-player.ts";

let svc: TestService<PrismaClient>;
beforeAll(async () => {
  svc = await startTestService(playerService, { KYC_SIMULATOR_DELAY_MS: "0" });
});
afterAll(async () => {
  await svc.stop();
});

const PROFILE = `{ me { id email firstName lastName address { line1 line2 city postcode country } dateOfBirth country currency kycStatus status } }`;
const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { firstName lastName address { line1 line2 city postcode country } } }`;
const CORRECT = `mutation($id: ID!, $input: CorrectPlayerIdentityInput!) { correctPlayerIdentity(playerId: $id, input: $input) { id firstName dateOfBirth country } }`;

const eventsOf = (playerId: string, type: string) => svc.runtime.prisma.outboxEvent.findMany({ where: { playerId, type }, orderBy: { seq: "asc" } });

describe("profile at registration", () => {
  it("takes the optional profile, normalised, and carries it in player.registered", async () => {
    const p = await registerPlayer(svc, {
      firstName: "  Ann ",
      lastName: "Ó'Brien-Smith",
      addressLine1: "1  High Street",
      addressLine2: "Flat 2",
      city: "London",
      postcode: "sw1a1aa",
    });
    const me = dataOf(await svc.graphql<{ me: unknown }>(PROFILE, {}, p.accessToken)).me;
    expect(me).toEqual({
      id: p.id,
      email: p.email,
      firstName: "Ann",
      lastName: "Ó'Brien-Smith",
      address: { line1: "1 High Street", line2: "Flat 2", city: "London", postcode: "SW1A 1AA", country: "GB" },
      dateOfBirth: "1990-04-23",
      country: "GB",
      currency: "GBP",
      kycStatus: "UNVERIFIED",
      status: "ACTIVE",
    });
    const [registered] = await eventsOf(p.id, "player.registered");
    expect(registered!.payload).toEqual({
      playerId: p.id,
      email: p.email,
      country: "GB",
      currency: "GBP",
      dateOfBirth: "1990-04-23",
      firstName: "Ann",
      lastName: "Ó'Brien-Smith",
      addressLine1: "1 High Street",
      addressLine2: "Flat 2",
      city: "London",
      postcode: "SW1A 1AA",
      // No compliance configured in this test: compliance screens from this event instead.
      gamstop: null,
    });
  });

  it("keeps the old contract: no profile, a null address", async () => {
    const p = await registerPlayer(svc);
    const me = dataOf(await svc.graphql<{ me: { firstName: string | null; address: unknown } }>(PROFILE, {}, p.accessToken)).me;
    expect(me).toMatchObject({ firstName: null, lastName: null, address: null });
  });

  it.each([
    ["a bad GB postcode", { addressLine1: "1 High St", city: "London", postcode: "12345" }, "postcode"],
    ["an address without a city", { addressLine1: "1 High St", postcode: "SW1A 1AA" }, "city"],
    ["a name with digits", { firstName: "Ann2" }, "firstName"],
    ["a blank last name", { lastName: "   " }, "lastName"],
  ])("refuses %s with BAD_USER_INPUT naming the field, writing nothing", async (_label, profile, field) => {
    const before = [await svc.runtime.prisma.player.count(), await svc.runtime.prisma.outboxEvent.count()];
    const res = await svc.graphql(`mutation($input: RegisterPlayerInput!) { registerPlayer(input: $input) { accessToken } }`, {
      input: playerInput(profile),
    });
    expect(errorOf(res)).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect([await svc.runtime.prisma.player.count(), await svc.runtime.prisma.outboxEvent.count()]).toEqual(before);
  });
});

describe("updateProfile", () => {
  it("changes name and address and publishes player.profile_updated in the same transaction", async () => {
    const p = await registerPlayer(svc);
    const updated = dataOf(
      await svc.graphql(UPDATE, { input: { firstName: "Bea", lastName: "Jones", addressLine1: "2 Low Road", city: "Leeds", postcode: "ls1 4ap" } }, p.accessToken),
    );
    expect(updated).toEqual({
      updateProfile: { firstName: "Bea", lastName: "Jones", address: { line1: "2 Low Road", line2: null, city: "Leeds", postcode: "LS1 4AP", country: "GB" } },
    });
    const events = await eventsOf(p.id, "player.profile_updated");
    expect(events.map((e) => e.payload)).toEqual([
      { playerId: p.id, firstName: "Bea", lastName: "Jones", postcode: "LS1 4AP", dateOfBirth: "1990-04-23", country: "GB", email: p.email },
    ]);
  });

  it("changes only the fields given and clears address line 2 with an empty string", async () => {
    const p = await registerPlayer(svc, { firstName: "Ann", addressLine1: "1 High St", addressLine2: "Flat 2", city: "London", postcode: "SW1A 1AA" });
    const updated = dataOf(await svc.graphql<{ updateProfile: unknown }>(UPDATE, { input: { addressLine2: "", city: "Bristol" } }, p.accessToken));
    expect(updated.updateProfile).toEqual({
      firstName: "Ann",
      lastName: null,
      address: { line1: "1 High St", line2: null, city: "Bristol", postcode: "SW1A 1AA", country: "GB" },
    });
  });

  it("writes nothing when one field of several is bad, and names it", async () => {
    const p = await registerPlayer(svc, { firstName: "Ann" });
    const before = await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: p.id } });
    const res = await svc.graphql(UPDATE, { input: { firstName: "Zoe", addressLine1: "1 High St", city: "London", postcode: "NOT A CODE" } }, p.accessToken);
    expect(errorOf(res)).toMatchObject({ code: "BAD_USER_INPUT", field: "postcode" });
    expect(await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: p.id } })).toEqual(before);
    expect(await eventsOf(p.id, "player.profile_updated")).toEqual([]);
  });

  it("offers the player no way to change date of birth or country", async () => {
    const p = await registerPlayer(svc);
    const res = await svc.graphql(UPDATE, { input: { dateOfBirth: "1970-01-01" } }, p.accessToken);
    expect(errorOf(res).code).toBe("BAD_USER_INPUT");
    const corrected = await svc.graphql(CORRECT, { id: p.id, input: { dateOfBirth: "1970-01-01" } }, p.accessToken);
    expect(errorOf(corrected).code).toBe("FORBIDDEN");
    expect((await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: p.id } })).dateOfBirth.toISOString()).toBe("1990-04-23T00:00:00.000Z");
  });

  it("is for players only", async () => {
    const support = await svc.tokens.staff(["support"]);
    expect(errorOf(await svc.graphql(UPDATE, { input: { firstName: "Eve" } }, support)).code).toBe("FORBIDDEN");
    expect(errorOf(await svc.graphql(UPDATE, { input: { firstName: "Eve" } })).code).toBe("UNAUTHENTICATED");
  });
});

describe("correctPlayerIdentity (kyc staff)", () => {
  it("corrects date of birth and country and publishes player.profile_updated", async () => {
    const p = await registerPlayer(svc, { firstName: "Ann", lastName: "Smith" });
    const kyc = await svc.tokens.staff(["kyc"]);
    const res = dataOf(await svc.graphql(CORRECT, { id: p.id, input: { dateOfBirth: "1985-12-01", country: "ie", firstName: "Anne" } }, kyc));
    expect(res).toEqual({ correctPlayerIdentity: { id: p.id, firstName: "Anne", dateOfBirth: "1985-12-01", country: "IE" } });
    const events = await eventsOf(p.id, "player.profile_updated");
    expect(events.map((e) => e.payload)).toEqual([
      { playerId: p.id, firstName: "Anne", lastName: "Smith", postcode: null, dateOfBirth: "1985-12-01", country: "IE", email: p.email },
    ]);
  });

  it("records an under-age date of birth, because staff record what the document says", async () => {
    const p = await registerPlayer(svc);
    const kyc = await svc.tokens.staff(["kyc"]);
    const sixteen = new Date(Date.now() - 16 * 365.25 * 86_400_000).toISOString().slice(0, 10);
    const res = dataOf(await svc.graphql<{ correctPlayerIdentity: { dateOfBirth: string } }>(CORRECT, { id: p.id, input: { dateOfBirth: sixteen } }, kyc));
    expect(res.correctPlayerIdentity.dateOfBirth).toBe(sixteen);
  });

  it("refuses support and compliance staff, and bad input from kyc staff writes nothing", async () => {
    const p = await registerPlayer(svc);
    for (const role of ["support", "compliance", "finance"] as const) {
      const token = await svc.tokens.staff([role]);
      expect({ role, code: errorOf(await svc.graphql(CORRECT, { id: p.id, input: { country: "FR" } }, token)).code }).toEqual({ role, code: "FORBIDDEN" });
    }
    const kyc = await svc.tokens.staff(["kyc"]);
    expect(errorOf(await svc.graphql(CORRECT, { id: p.id, input: { country: "XX", dateOfBirth: "1980-01-01" } }, kyc))).toMatchObject({
      code: "BAD_USER_INPUT",
      field: "country",
    });
    expect(errorOf(await svc.graphql(CORRECT, { id: p.id, input: { dateOfBirth: "2999-01-01" } }, kyc))).toMatchObject({ code: "BAD_USER_INPUT", field: "dateOfBirth" });
    const stored = await svc.runtime.prisma.player.findUniqueOrThrow({ where: { id: p.id } });
    expect([stored.country, stored.dateOfBirth.toISOString().slice(0, 10)]).toEqual(["GB", "1990-04-23"]);
    expect(await eventsOf(p.id, "player.profile_updated")).toEqual([]);
  });
});

describe("who reads a profile", () => {
  const ENTITY = (fields: string) => `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Player { ${fields} } } }`;
  const PLAYER = (fields: string) => `query($id: ID!) { player(id: $id) { ${fields} } }`;

  it("support, kyc and compliance read name and address; finance reads the account but not the personal data", async () => {
    const p = await registerPlayer(svc, { firstName: "Ann", lastName: "Smith", addressLine1: "1 High St", city: "London", postcode: "SW1A 1AA" });
    for (const role of ["support", "kyc", "compliance"] as const) {
      const res = await svc.graphql(PLAYER("firstName lastName address { postcode }"), { id: p.id }, await svc.tokens.staff([role]));
      expect({ role, data: dataOf(res) }).toEqual({ role, data: { player: { firstName: "Ann", lastName: "Smith", address: { postcode: "SW1A 1AA" } } } });
    }
    const finance = await svc.tokens.staff(["finance"]);
    expect(dataOf(await svc.graphql(PLAYER("email status"), { id: p.id }, finance))).toEqual({ player: { email: p.email, status: "ACTIVE" } });
    expect(errorOf(await svc.graphql(PLAYER("firstName"), { id: p.id }, finance)).code).toBe("FORBIDDEN");
    expect(errorOf(await svc.graphql(PLAYER("identityDocuments { id }"), { id: p.id }, await svc.tokens.staff(["compliance"]))).code).toBe("FORBIDDEN");
  });

  it("another player reads none of it, through any path", async () => {
    const p = await registerPlayer(svc, { firstName: "Ann" });
    const other = await registerPlayer(svc);
    for (const fields of ["firstName", "lastName", "address { city }", "identityDocuments { id }", "status", "kycStatus"]) {
      const res = await svc.graphql(ENTITY(fields), { reps: [{ __typename: "Player", id: p.id }] }, other.accessToken);
      expect({ fields, code: errorOf(res).code }).toEqual({ fields, code: "FORBIDDEN" });
    }
    expect(errorOf(await svc.graphql(PLAYER("firstName"), { id: p.id }, other.accessToken)).code).toBe("FORBIDDEN");
  });
});
