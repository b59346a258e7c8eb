import { ConfigError, loadServiceConfig, readEnv, z } from "../src/config.ts";
import { generateSigningKeyPair } from "../src/auth/tokens.ts";

const keys = generateSigningKeyPair();
const SERVICE_TOKEN_SECRET = "a-service-token-secret-of-32-characters-or-more";
const base = { AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem, AUTH_JWT_PRIVATE_KEY: keys.privateKeyPem, SERVICE_TOKEN_SECRET };

describe("loadServiceConfig", () => {
  it("defaults to embedded mode under .data with the service's port", () => {
    const cfg = loadServiceConfig("wallet", base);
    expect(cfg.mode).toBe("embedded");
    expect(cfg.port).toBe(4002);
    expect(cfg.dataDir.endsWith(".data")).toBe(true);
    expect(cfg.databaseSchema).toBe("wallet");
  });

  it("switches to real mode with DATABASE_URL, per-service variables winning", () => {
    const cfg = loadServiceConfig("wallet", {
      ...base,
      DATABASE_URL: "postgresql://a@h/shared",
      WALLET_DATABASE_URL: "postgresql://a@h/wallet",
      REDIS_URL: "redis://127.0.0.1:6379",
    });
    expect(cfg.mode).toBe("real");
    expect(cfg.databaseUrl).toBe("postgresql://a@h/wallet");
    expect(cfg.redisUrl).toBe("redis://127.0.0.1:6379");
  });

  it("accepts PEM keys with escaped newlines from one-line env files", () => {
    const cfg = loadServiceConfig("games", { AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem.replace(/\n/g, "\\n"), SERVICE_TOKEN_SECRET });
    expect(cfg.jwtPublicKey).toBe(keys.publicKeyPem);
  });

  it.each([
    ["WALLET_PORT", { WALLET_PORT: "70000" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://x@y/z" }],
    ["REDIS_URL", { REDIS_URL: "not a url" }],
    ["LOG_LEVEL", { LOG_LEVEL: "loud" }],
    ["AUTH_JWT_PUBLIC_KEY", { AUTH_JWT_PUBLIC_KEY: "" }],
    ["SERVICE_TOKEN_SECRET", { SERVICE_TOKEN_SECRET: "too short" }],
  ])("stops with a message naming %s", (name, overrides) => {
    let error: unknown;
    try {
      loadServiceConfig("wallet", { ...base, ...overrides });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name === "WALLET_PORT" ? "PORT" : name);
  });

  it("requires the signing key only for the player service", () => {
    expect(() => loadServiceConfig("player", { AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_TOKEN_SECRET })).toThrow(/AUTH_JWT_PRIVATE_KEY/);
    expect(loadServiceConfig("wallet", { AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem, SERVICE_TOKEN_SECRET }).jwtPrivateKey).toBeUndefined();
  });
});

describe("configuration errors", () => {
  it("name the variable and show its value, but never a secret or a URL's password", () => {
    const shape = { SOME_PORT: z.coerce.number().int(), SOME_SECRET: z.string().min(32), GAMSTOP_API_KEY: z.string().min(8), DATABASE_URL: z.string().startsWith("postgres://") };
    const env = { SOME_PORT: "eighty", SOME_SECRET: "hunter2", GAMSTOP_API_KEY: "abc", DATABASE_URL: "postgresql://app:s3cret-pw@db:5432/casino" };
    expect(() => readEnv(shape, env)).toThrow(ConfigError);
    const message = (() => {
      try {
        readEnv(shape, env);
        return "";
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message).toContain('SOME_PORT="eighty"');
    expect(message).toContain("SOME_SECRET=(hidden)");
    expect(message).toContain("GAMSTOP_API_KEY=(hidden)");
    expect(message).toContain("DATABASE_URL=");
    expect(message).not.toContain("hunter2");
    expect(message).not.toContain("s3cret-pw");
    expect(message).not.toContain('"abc"');
  });
});
