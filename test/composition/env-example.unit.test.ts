import fs from "node:fs";
import path from "node:path";
import { generateServiceTokenSecret } from "@casino/kernel/auth/service-tokens";
import { loadServiceConfig, type ServiceName } from "@casino/kernel/config";
import { testSigningKeys } from "@casino/kernel/testing/service-harness";
import { REPO_ROOT } from "@casino/kernel/service";
import { loadGatewayConfig } from "../../gateway/src/config.ts";
import { loadGamesConfig } from "../../subgraphs/games/src/config.ts";
import { loadRgsConfig } from "../../subgraphs/games/src/rgs/config.ts";
import { loadPaymentsConfig } from "../../subgraphs/payments/src/config.ts";
import { loadPlayerConfig } from "../../subgraphs/player/src/config.ts";

/** `.env.example` is documentation that must stay true: every value it sets is accepted as it is. */
function exampleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8").split("\n")) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

describe(".env.example", () => {
  // What it leaves for the operator to set (keys and secrets, never in the file), filled for the test.
  const env: Record<string, string> = {
    ...exampleEnv(),
    AUTH_JWT_PUBLIC_KEY: testSigningKeys.publicKeyPem,
    AUTH_JWT_PRIVATE_KEY: testSigningKeys.privateKeyPem,
    SERVICE_TOKEN_SECRET: generateServiceTokenSecret(),
  };

  it("sets values for the settings it documents", () => {
    expect(Object.keys(env).length).toBeGreaterThan(20);
    expect(env).toMatchObject({ GAMES_SESSION_TTL_SECONDS: expect.any(String), PAYMENTS_WITHDRAWAL_HOLDS: expect.any(String), PSP_TIMEOUT_MS: expect.any(String) });
  });

  it.each(["player", "wallet", "games", "payments", "compliance", "reporting"] as ServiceName[])("is accepted by the %s service's shared settings", (service) => {
    expect(() => loadServiceConfig(service, env)).not.toThrow();
  });

  it("is accepted by each service's own settings", () => {
    expect(() => loadGatewayConfig(env)).not.toThrow();
    expect(loadGamesConfig(env)).toMatchObject({ sessionTtlSeconds: Number(env.GAMES_SESSION_TTL_SECONDS) });
    expect(() => loadRgsConfig(env)).not.toThrow();
    expect(loadPaymentsConfig(env).withdrawalHoldFromMinor).toMatchObject({ GBP: 200000n });
    expect(() => loadPlayerConfig(env)).not.toThrow();
  });
});
