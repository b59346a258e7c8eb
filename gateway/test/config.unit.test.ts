import { ConfigError } from "@casino/kernel/config";
import { loadGatewayConfig } from "../src/config.ts";
import { keys } from "./support/harness.ts";

const base = { AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem };

describe("loadGatewayConfig", () => {
  it("defaults to port 4000, local subgraphs, the platform issuer and the documented limits", () => {
    const cfg = loadGatewayConfig(base);
    expect(cfg.port).toBe(4000);
    expect(cfg.subgraphUrls).toEqual({
      player: "http://localhost:4001/graphql",
      wallet: "http://localhost:4002/graphql",
      games: "http://localhost:4003/graphql",
      payments: "http://localhost:4004/graphql",
      compliance: "http://localhost:4005/graphql",
      reporting: "http://localhost:4006/graphql",
    });
    expect(cfg.jwtIssuer).toBe("casino-platform");
    expect(cfg.redisUrl).toBeUndefined();
    expect(cfg.introspection).toBe(true);
    expect(cfg.limits).toEqual({ maxDepth: 12, maxAliases: 30, maxCost: 5000, maxBodyBytes: 1024 * 1024 });
    expect(cfg.subscriptions).toEqual({ maxConcurrentRefetches: 32, maxQueuedMessages: 100 });
  });

  it("reads overrides, one-line PEM keys and production mode", () => {
    const cfg = loadGatewayConfig({
      AUTH_JWT_PUBLIC_KEY: keys.publicKeyPem.replace(/\n/g, "\\n"),
      GATEWAY_PORT: "8080",
      WALLET_URL: "http://wallet:4002/graphql",
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_KEY_PREFIX: "casino:",
      GATEWAY_MAX_DEPTH: "8",
      GATEWAY_MAX_COST: "1000",
      GATEWAY_MAX_ALIASES: "5",
      NODE_ENV: "production",
    });
    expect(cfg.jwtPublicKey).toBe(keys.publicKeyPem);
    expect(cfg.port).toBe(8080);
    expect(cfg.subgraphUrls.wallet).toBe("http://wallet:4002/graphql");
    expect(cfg.redisUrl).toBe("redis://127.0.0.1:6379");
    expect(cfg.redisKeyPrefix).toBe("casino:");
    expect(cfg.limits).toMatchObject({ maxDepth: 8, maxCost: 1000, maxAliases: 5 });
    expect(cfg.introspection).toBe(false);
  });

  it.each([
    ["AUTH_JWT_PUBLIC_KEY", {}],
    ["GATEWAY_PORT", { ...base, GATEWAY_PORT: "99999" }],
    ["PLAYER_URL", { ...base, PLAYER_URL: "player:4001" }],
    ["REDIS_URL", { ...base, REDIS_URL: "http://redis" }],
    ["GATEWAY_MAX_DEPTH", { ...base, GATEWAY_MAX_DEPTH: "deep" }],
    ["GATEWAY_MAX_COST", { ...base, GATEWAY_MAX_COST: "0" }],
  ])("stops with a message naming %s", (name, env) => {
    expect(() => loadGatewayConfig(env)).toThrow(ConfigError);
    expect(() => loadGatewayConfig(env)).toThrow(name);
  });
});
