import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { SignJWT, errors as joseErrors, importPKCS8, importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from "jose";
import { unauthenticated } from "../errors.ts";
import { isStaffRole, type Principal } from "./principal.ts";

const ALG = "EdDSA";
const AUDIENCE = "casino-api";

export interface AccessTokenClaims {
  sub: string;
  /** "player" or "staff" */
  typ: "player" | "staff";
  sid: string;
  roles?: string[];
}

/** Signs short-lived access tokens. Only the player service (the identity owner) holds the private key. */
export class TokenIssuer {
  private constructor(
    private readonly key: CryptoKey,
    private readonly issuer: string,
    readonly accessTtlSeconds: number,
  ) {}

  static async fromPem(privateKeyPem: string, issuer: string, accessTtlSeconds = 900): Promise<TokenIssuer> {
    return new TokenIssuer(await importPKCS8(privateKeyPem, ALG), issuer, accessTtlSeconds);
  }

  async issue(claims: AccessTokenClaims): Promise<string> {
    const { sub, ...rest } = claims;
    return new SignJWT({ ...rest })
      .setProtectedHeader({ alg: ALG, typ: "JWT" })
      .setSubject(sub)
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setJti(randomBytes(12).toString("base64url"))
      .setExpirationTime(`${this.accessTtlSeconds}s`)
      .sign(this.key);
  }
}

/** Verifies access tokens with the public key; used by the gateway and again by every subgraph. */
export class TokenVerifier {
  private constructor(
    private readonly key: CryptoKey,
    private readonly issuer: string,
  ) {}

  static async fromPem(publicKeyPem: string, issuer: string): Promise<TokenVerifier> {
    return new TokenVerifier(await importSPKI(publicKeyPem, ALG), issuer);
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: this.issuer, audience: AUDIENCE, algorithms: [ALG] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated("Access token expired");
      throw unauthenticated("Invalid access token");
    }
    const sub = payload.sub;
    const sid = typeof payload.sid === "string" ? payload.sid : undefined;
    if (!sub || !sid) throw unauthenticated("Invalid access token");
    if (payload.typ === "player") return { kind: "player", playerId: sub, sessionId: sid };
    if (payload.typ === "staff" && Array.isArray(payload.roles)) {
      const roles = payload.roles.filter((r): r is string => typeof r === "string").filter(isStaffRole);
      return { kind: "staff", staffId: sub, roles, sessionId: sid };
    }
    throw unauthenticated("Invalid access token");
  }

  /** Reads `Authorization: Bearer <jwt>`; no header means anonymous, a bad one is an error. */
  async fromAuthorizationHeader(header: string | undefined | null): Promise<Principal> {
    if (!header) return { kind: "anonymous" };
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw unauthenticated("Authorization header must be 'Bearer <token>'");
    return this.verify(match[1]);
  }
}

/** Opaque refresh tokens: random, shown to the client once, stored only as a SHA-256 hash. */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashOpaqueToken(token) };
}

export function hashOpaqueToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** An Ed25519 key pair in PEM, for development and embedded mode. */
export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
