import type { VerificationRequest } from "../src/protocol.ts";
import { decideOutcome } from "../src/rules.ts";

const TODAY = new Date("2026-06-01T12:00:00Z");

const request = (overrides: { lastName?: string; dateOfBirth?: string; documents?: VerificationRequest["documents"] } = {}): VerificationRequest => ({
  clientReference: "ref-1",
  callbackUrl: "http://localhost:1/callback",
  person: {
    firstName: "Ann",
    lastName: overrides.lastName ?? "Smith",
    dateOfBirth: overrides.dateOfBirth ?? "1990-04-23",
    address: { line1: "1 High Street", line2: null, city: "London", postcode: "SW1A 1AA", country: "GB" },
  },
  documents: overrides.documents ?? [{ type: "PASSPORT", issuingCountry: "GB", expiresOn: "2030-01-01", numberLast4: "6789" }],
});

describe("the simulator's decision", () => {
  it.each([
    ["a valid adult with an unexpired passport", request(), "VERIFIED", []],
    ["the last name Refer (any case)", request({ lastName: " rEfEr " }), "REFER", ["MANUAL_REVIEW_REQUESTED"]],
    ["the last name Reject", request({ lastName: "Reject" }), "REJECTED", ["IDENTITY_NOT_MATCHED"]],
    ["no documents", request({ documents: [] }), "REJECTED", ["NO_DOCUMENTS"]],
    [
      "a document that expired yesterday",
      request({ documents: [{ type: "DRIVING_LICENCE", issuingCountry: "GB", expiresOn: "2026-05-31", numberLast4: "1234" }] }),
      "REJECTED",
      ["DOCUMENT_EXPIRED"],
    ],
    ["a person one day short of 18", request({ dateOfBirth: "2008-06-02" }), "REJECTED", ["UNDERAGE"]],
    [
      "only a proof of address",
      request({ documents: [{ type: "PROOF_OF_ADDRESS", issuingCountry: "GB", expiresOn: null, numberLast4: "0001" }] }),
      "REFER",
      ["NO_PHOTO_ID"],
    ],
  ])("given %s, decides %s", (_label, given, result, reasons) => {
    expect(decideOutcome(given, TODAY)).toEqual({ result, reasons });
  });

  it("treats a document expiring today as still valid and an 18th birthday today as adult", () => {
    const given = request({
      dateOfBirth: "2008-06-01",
      documents: [{ type: "NATIONAL_ID", issuingCountry: "FR", expiresOn: "2026-06-01", numberLast4: "9999" }],
    });
    expect(decideOutcome(given, TODAY)).toEqual({ result: "VERIFIED", reasons: [] });
  });
});
