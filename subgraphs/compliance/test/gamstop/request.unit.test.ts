import {
  GamstopRequestError,
  gamstopForm,
  isBlocking,
  isCalendarDate,
  normaliseGamstopRequest,
  normalisePostcode,
  outcomeFromExclusionHeader,
  type GamstopCheckRequest,
} from "../../src/gamstop/index.ts";

const TODAY = new Date("2026-11-24T12:00:00Z");

const person = (overrides: Partial<GamstopCheckRequest> = {}): GamstopCheckRequest => ({
  firstName: "Harry",
  lastName: "Potter",
  dateOfBirth: "1980-07-31",
  email: "harry.potter@example.com",
  postcode: "HP1 1AA",
  ...overrides,
});

function requestError(req: GamstopCheckRequest): GamstopRequestError {
  let caught: unknown;
  try {
    normaliseGamstopRequest(req, TODAY);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(GamstopRequestError);
  return caught as GamstopRequestError;
}

describe("isBlocking", () => {
  it("blocks a current self-exclusion only", () => {
    expect(isBlocking("EXCLUDED")).toBe(true);
    expect(isBlocking("NOT_REGISTERED")).toBe(false);
    expect(isBlocking("PREVIOUSLY_EXCLUDED")).toBe(false);
  });
});

describe("outcomeFromExclusionHeader", () => {
  it("reads Y, N and P", () => {
    expect(outcomeFromExclusionHeader("Y")).toBe("EXCLUDED");
    expect(outcomeFromExclusionHeader("N")).toBe("NOT_REGISTERED");
    expect(outcomeFromExclusionHeader("P")).toBe("PREVIOUSLY_EXCLUDED");
    expect(outcomeFromExclusionHeader(" y ")).toBe("EXCLUDED");
  });

  it("never defaults a missing or unknown value (no fail-open to N)", () => {
    for (const value of [null, undefined, "", " ", "YES", "NO", "X", "YN", "1"]) {
      expect(outcomeFromExclusionHeader(value)).toBeUndefined();
    }
  });
});

describe("normaliseGamstopRequest", () => {
  it("trims every field and sends the postcode upper-case without spaces", () => {
    expect(
      normaliseGamstopRequest(
        person({ firstName: "  Harry ", lastName: "\tPotter\n", email: " harry.potter@example.com ", postcode: " hp1  1aa ", dateOfBirth: " 1980-07-31 " }),
        TODAY,
      ),
    ).toEqual({ firstName: "Harry", lastName: "Potter", dateOfBirth: "1980-07-31", email: "harry.potter@example.com", postcode: "HP11AA", traceId: undefined });
  });

  it("keeps names whole: GAMSTOP decides which 20 characters are significant", () => {
    const long = "Wolfeschlegelsteinhausenbergerdorff";
    expect(normaliseGamstopRequest(person({ lastName: long }), TODAY).lastName).toBe(long);
  });

  it("accepts every UK postcode format, with or without its space", () => {
    for (const postcode of ["M1 1AE", "M11AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "gir 0aa", "SW1A2AA"]) {
      expect(normaliseGamstopRequest(person({ postcode }), TODAY).postcode).toBe(normalisePostcode(postcode));
    }
  });

  it("refuses what is not a UK postcode", () => {
    for (const postcode of ["12345", "HP1", "HP1 1A", "HP1 1AAA", "1HP 1AA", "HP1 1CI", "SW1A-2AA", "75008"]) {
      expect(requestError(person({ postcode }))).toMatchObject({ field: "postcode" });
    }
  });

  it("refuses dates of birth that are not real yyyy-mm-dd dates, before 1900 or in the future", () => {
    for (const dateOfBirth of ["31/07/1980", "1980-7-31", "19800731", "1981-02-29", "1980-13-01", "1980-04-31", "1899-12-31", "2026-11-25", "1980-07-31T00:00:00Z"]) {
      expect(requestError(person({ dateOfBirth }))).toMatchObject({ field: "dateOfBirth" });
    }
    expect(normaliseGamstopRequest(person({ dateOfBirth: "1980-02-29" }), TODAY).dateOfBirth).toBe("1980-02-29");
    expect(normaliseGamstopRequest(person({ dateOfBirth: "2026-11-24" }), TODAY).dateOfBirth).toBe("2026-11-24");
  });

  it("refuses emails without the shape of an address", () => {
    for (const email of ["harry", "harry@", "@example.com", "harry@example", "harry potter@example.com", "harry@@example.com", `${"a".repeat(250)}@example.com`]) {
      expect(requestError(person({ email }))).toMatchObject({ field: "email" });
    }
  });

  it("refuses missing, blank or control-character fields, naming the field and never the value", () => {
    const blank = requestError(person({ firstName: "   " }));
    expect(blank).toMatchObject({ field: "firstName", problem: "is required" });
    expect(requestError({ ...person(), lastName: undefined as unknown as string })).toMatchObject({ field: "lastName" });
    const control = requestError(person({ lastName: "Pot\u0000ter" }));
    expect(control.field).toBe("lastName");
    expect(control.message).not.toContain("Pot");
    const email = requestError(person({ email: "harry.potter@example" }));
    expect(email.message).not.toContain("harry");
  });

  it("validates the trace id as a header value", () => {
    expect(normaliseGamstopRequest(person({ traceId: " req-42 " }), TODAY).traceId).toBe("req-42");
    for (const traceId of ["", "has space", "é", "x".repeat(129), "line\nbreak"]) {
      expect(requestError(person({ traceId }))).toMatchObject({ field: "traceId" });
    }
  });

  it("isCalendarDate knows leap years", () => {
    expect(isCalendarDate("2000-02-29")).toBe(true);
    expect(isCalendarDate("1900-02-29")).toBe(false);
  });
});

describe("gamstopForm", () => {
  it("carries exactly the five documented fields", () => {
    const form = gamstopForm(normaliseGamstopRequest(person({ traceId: "t-1" }), TODAY));
    expect([...form.keys()]).toEqual(["firstName", "lastName", "dateOfBirth", "email", "postcode"]);
    expect(form.toString()).toBe("firstName=Harry&lastName=Potter&dateOfBirth=1980-07-31&email=harry.potter%40example.com&postcode=HP11AA");
  });
});
