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
  /**
   * Tokens already verified, until they expire. A client sends the same token with every request
   * for up to its lifetime, and each request is verified by the gateway and each subgraph it
   * reaches; an Ed25519 verification costs about 0.1 ms, a map lookup nothing. Bounded, oldest out.
   */
  private readonly verified = new Map<string, { principal: Principal; expiresAtMs: number }>();

  private constructor(
    private readonly key: CryptoKey,
    private readonly issuer: string,
    private readonly cacheSize: number,
  ) {}

  static async fromPem(publicKeyPem: string, issuer: string, cacheSize = 10_000): Promise<TokenVerifier> {
    return new TokenVerifier(await importSPKI(publicKeyPem, ALG), issuer, cacheSize);
  }

  async verify(token: string): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.expiresAtMs > Date.now()) return cached.principal;
      this.verified.delete(token);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: this.issuer, audience: AUDIENCE, algorithms: [ALG], currentDate: new Date(Date.now()) }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated("Access token expired");
      throw unauthenticated("Invalid access token");
    }
    const principal = principalOf(payload);
    if (payload.exp !== undefined && this.cacheSize > 0) {
      if (this.verified.size >= this.cacheSize) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { principal, expiresAtMs: payload.exp * 1000 });
    }
    return principal;
  }

  /** Reads `Authorization: Bearer <jwt>`; no header means anonymous, a bad one is an error. */
  async fromAuthorizationHeader(header: string | undefined | null): Promise<Principal> {
    if (!header) return { kind: "anonymous" };
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw unauthenticated("Authorization header must be 'Bearer <token>'");
    return this.verify(match[1]);
  }
}

function principalOf(payload: JWTPayload): Principal {
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
