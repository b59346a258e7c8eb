import { jest } from "@jest/globals";
import { SignJWT, importPKCS8 } from "jose";
import { GraphQLError } from "graphql";
import { TokenIssuer, TokenVerifier, generateSigningKeyPair, hashOpaqueToken, newOpaqueToken } from "../src/auth/tokens.ts";

const keys = generateSigningKeyPair();
const other = generateSigningKeyPair();

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return "no error";
  } catch (err) {
    return err instanceof GraphQLError ? err.extensions.code : String(err);
  }
}

describe("access tokens", () => {
  it("round-trips player and staff principals", async () => {
    const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, "iss");
    const verifier = await TokenVerifier.fromPem(keys.publicKeyPem, "iss");
    await expect(verifier.verify(await issuer.issue({ sub: "p1", typ: "player", sid: "s1" }))).resolves.toEqual({
      kind: "player",
      playerId: "p1",
      sessionId: "s1",
    });
    const staff = await verifier.verify(await issuer.issue({ sub: "u1", typ: "staff", sid: "s2", roles: ["finance", "bogus"] }));
    expect(staff).toEqual({ kind: "staff", staffId: "u1", roles: ["finance"], sessionId: "s2" });
  });

  it("rejects tokens signed by another key, for another issuer, expired or malformed", async () => {
    const verifier = await TokenVerifier.fromPem(keys.publicKeyPem, "iss");
    const foreign = await TokenIssuer.fromPem(other.privateKeyPem, "iss");
    const wrongIssuer = await TokenIssuer.fromPem(keys.privateKeyPem, "elsewhere");
    const expired = await new SignJWT({ typ: "player", sid: "s" })
      .setProtectedHeader({ alg: "EdDSA" })
      .setSubject("p")
      .setIssuer("iss")
      .setAudience("casino-api")
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(await importPKCS8(keys.privateKeyPem, "EdDSA"));
    expect(await codeOf(verifier.verify(await foreign.issue({ sub: "p", typ: "player", sid: "s" })))).toBe("UNAUTHENTICATED");
    expect(await codeOf(verifier.verify(await wrongIssuer.issue({ sub: "p", typ: "player", sid: "s" })))).toBe("UNAUTHENTICATED");
    expect(await codeOf(verifier.verify(expired))).toBe("UNAUTHENTICATED");
    expect(await codeOf(verifier.verify("not.a.jwt"))).toBe("UNAUTHENTICATED");
    expect(await codeOf(verifier.fromAuthorizationHeader("Basic abc"))).toBe("UNAUTHENTICATED");
    await expect(verifier.fromAuthorizationHeader(undefined)).resolves.toEqual({ kind: "anonymous" });
  });
});

describe("the verification cache", () => {
  it("answers a repeated token from memory but still refuses it once it has expired", async () => {
    const issuer = await TokenIssuer.fromPem(keys.privateKeyPem, "iss", 60);
    const verifier = await TokenVerifier.fromPem(keys.publicKeyPem, "iss");
    const token = await issuer.issue({ sub: "p1", typ: "player", sid: "s1" });
    await expect(verifier.verify(token)).resolves.toMatchObject({ playerId: "p1" });
    await expect(verifier.verify(token)).resolves.toMatchObject({ playerId: "p1" });
    const later = Date.now() + 61_000;
    const clock = jest.spyOn(Date, "now").mockReturnValue(later);
    try {
      expect(await codeOf(verifier.verify(token))).toBe("UNAUTHENTICATED");
    } finally {
      clock.mockRestore();
    }
  });
});

describe("opaque refresh tokens", () => {
  it("are random and stored only as their hash", () => {
    const a = newOpaqueToken();
    const b = newOpaqueToken();
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(hashOpaqueToken(a.token));
    expect(a.hash).not.toContain(a.token);
  });
});
