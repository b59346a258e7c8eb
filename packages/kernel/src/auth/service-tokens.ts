import { randomBytes } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import { SERVICES, type ServiceName } from "../config.ts";

/**
 * Service-to-service authentication for internal APIs (games and payments calling the wallet).
 * Every subgraph process holds SERVICE_TOKEN_SECRET; the gateway does not, so no token a client
 * holds can ever pass as a service. Tokens are HS256 JWTs naming the calling service (`sub`) and
 * the service called (`aud`), valid for five minutes, reused by the caller until shortly before
 * they expire and cached by the callee once verified, so the signature costs nothing per request.
 */
const ALG = "HS256";
const ISSUER = "casino-platform-services";
const TTL_SECONDS = 300;

export const MIN_SERVICE_SECRET_LENGTH = 32;

export function generateServiceTokenSecret(): string {
  return randomBytes(32).toString("base64url");
}

function keyOf(secret: string): Uint8Array {
  if (secret.length < MIN_SERVICE_SECRET_LENGTH) {
    throw new Error(`the service token secret must be at least ${MIN_SERVICE_SECRET_LENGTH} characters`);
  }
  return new TextEncoder().encode(secret);
}

export class ServiceTokenSigner {
  private current: { token: string; renewAtMs: number } | undefined;
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly caller: ServiceName,
    private readonly audience: ServiceName,
  ) {
    this.key = keyOf(secret);
  }

  async token(): Promise<string> {
    if (this.current && this.current.renewAtMs > Date.now()) return this.current.token;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: ALG, typ: "JWT" })
      .setIssuer(ISSUER)
      .setSubject(this.caller)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(`${TTL_SECONDS}s`)
      .sign(this.key);
    this.current = { token, renewAtMs: Date.now() + (TTL_SECONDS - 60) * 1000 };
    return token;
  }
}

export class ServiceTokenError extends Error {
  override readonly name = "ServiceTokenError";
}

export class ServiceTokenVerifier {
  private readonly verified = new Map<string, { caller: ServiceName; expiresAtMs: number }>();
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly audience: ServiceName,
  ) {
    this.key = keyOf(secret);
  }

  /** The calling service named by a valid `Authorization: Bearer` service token; throws otherwise. */
  async callerOf(authorization: string | undefined): Promise<ServiceName> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
    if (!match?.[1]) throw new ServiceTokenError("a service token is required (Authorization: Bearer <token>)");
    const token = match[1];
    const cached = this.verified.get(token);
    if (cached && cached.expiresAtMs > Date.now()) return cached.caller;
    this.verified.delete(token);
    let sub: string | undefined;
    let exp: number | undefined;
    try {
      ({ payload: { sub, exp } } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: this.audience, algorithms: [ALG] }));
    } catch {
      throw new ServiceTokenError("invalid or expired service token");
    }
    const caller = SERVICES.find((s) => s === sub);
    if (!caller || exp === undefined) throw new ServiceTokenError("the service token names no known service");
    if (this.verified.size >= 1_000) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { caller, expiresAtMs: exp * 1000 });
    return caller;
  }
}
