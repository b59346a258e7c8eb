import { KYC_STATUSES, KycTransitionError, nextKycStatus, verificationFlags, type KycCommand, type KycStatus } from "../src/kyc/lifecycle.ts";

const request: KycCommand = { type: "REQUEST_VERIFICATION" };
const provider = (result: "VERIFIED" | "REJECTED" | "REFER"): KycCommand => ({ type: "RECORD_PROVIDER_RESULT", result });
const adjudicate = (decision: "VERIFIED" | "REJECTED", note = "checked the passport by video call"): KycCommand => ({ type: "ADJUDICATE", decision, note });

describe("KYC lifecycle", () => {
  describe("legal transitions", () => {
    it.each<[KycStatus, KycCommand, KycStatus]>([
      ["UNVERIFIED", request, "PENDING"],
      ["REJECTED", request, "PENDING"],
      ["PENDING", provider("VERIFIED"), "VERIFIED"],
      ["PENDING", provider("REJECTED"), "REJECTED"],
      ["PENDING", provider("REFER"), "REFERRED"],
      ["REFERRED", adjudicate("VERIFIED"), "VERIFIED"],
      ["REFERRED", adjudicate("REJECTED"), "REJECTED"],
      ["PENDING", adjudicate("VERIFIED"), "VERIFIED"],
      ["PENDING", adjudicate("REJECTED"), "REJECTED"],
    ])("given %s, when %j, then %s", (given, when, then) => {
      expect(nextKycStatus(given, when)).toBe(then);
    });
  });

  describe("illegal transitions are errors", () => {
    it.each<[KycStatus, KycCommand]>([
      ["PENDING", request],
      ["REFERRED", request],
      ["VERIFIED", request],
      ["UNVERIFIED", provider("VERIFIED")],
      ["REFERRED", provider("VERIFIED")],
      ["VERIFIED", provider("REJECTED")],
      ["REJECTED", provider("VERIFIED")],
      ["UNVERIFIED", adjudicate("VERIFIED")],
      ["VERIFIED", adjudicate("REJECTED")],
      ["REJECTED", adjudicate("VERIFIED")],
    ])("given %s, when %j, then it refuses", (given, when) => {
      expect(() => nextKycStatus(given, when)).toThrow(KycTransitionError);
    });

    it("refuses an adjudication without a note, whatever the status", () => {
      const error = (() => {
        try {
          nextKycStatus("REFERRED", adjudicate("VERIFIED", "   "));
        } catch (err) {
          return err;
        }
      })();
      expect(error).toBeInstanceOf(KycTransitionError);
      expect(error).toMatchObject({ from: "REFERRED", command: "ADJUDICATE", message: "An adjudication needs a note" });
    });
  });

  it("covers every status: each one has at least one command it refuses", () => {
    const commands = [request, provider("VERIFIED"), adjudicate("VERIFIED")];
    for (const status of KYC_STATUSES) {
      const refused = commands.filter((c) => {
        try {
          nextKycStatus(status, c);
          return false;
        } catch {
          return true;
        }
      });
      expect({ status, refused: refused.length > 0 }).toEqual({ status, refused: true });
    }
  });

  it("reports age and identity as verified only when VERIFIED", () => {
    expect(KYC_STATUSES.map((s) => [s, verificationFlags(s)])).toEqual([
      ["UNVERIFIED", { ageVerified: false, identityVerified: false }],
      ["PENDING", { ageVerified: false, identityVerified: false }],
      ["VERIFIED", { ageVerified: true, identityVerified: true }],
      ["REJECTED", { ageVerified: false, identityVerified: false }],
      ["REFERRED", { ageVerified: false, identityVerified: false }],
    ]);
  });
});
