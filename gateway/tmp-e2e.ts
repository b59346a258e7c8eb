import fs from "node:fs";
import { randomUUID } from "node:crypto";
import { createClient } from "graphql-ws";
import { WebSocket } from "ws";
import { startTestService, testSigningKeys } from "@casino/kernel/testing/service-harness";
import { RedisLiveChannel } from "@casino/kernel/events/redis";
import { createLogger } from "@casino/kernel/logger";
import { playerService } from "../subgraphs/player/src/service.ts";
import { walletService } from "../subgraphs/wallet/src/service.ts";
import { loadGatewayConfig } from "./src/config.ts";
import { startGateway } from "./src/gateway.ts";

const prefix = `smoke:${randomUUID()}:`;
const env = { REDIS_URL: "redis://127.0.0.1:6379", REDIS_KEY_PREFIX: prefix };
const player = await startTestService(playerService, env);
const wallet = await startTestService(walletService, env);
const live = new RedisLiveChannel({ url: env.REDIS_URL, keyPrefix: prefix, log: createLogger("x", "silent") });
const gw = await startGateway({
  supergraphSdl: fs.readFileSync("../schema/supergraph.graphql", "utf8"),
  config: loadGatewayConfig({ GATEWAY_PORT: "0", AUTH_JWT_PUBLIC_KEY: testSigningKeys.publicKeyPem, AUTH_JWT_ISSUER: testSigningKeys.issuer, PLAYER_URL: player.url, WALLET_URL: wallet.url, LOG_LEVEL: "warn" }),
  live,
});
const post = async (query: string, variables: unknown, token?: string) => (await fetch(gw.url, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) })).json();
const reg = await post(`mutation($i: RegisterPlayerInput!) { registerPlayer(input: $i) { accessToken } }`, { i: { email: `s${Date.now()}@x.io`, password: "Correct-horse-9!", dateOfBirth: "1990-01-01", country: "GB", currency: "GBP" } }) as any;
console.log("register", JSON.stringify(reg).slice(0, 200));
const token = reg.data.registerPlayer.accessToken as string;
const playerId = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).sub;
await new Promise((r) => setTimeout(r, 1500));
const client = createClient({ url: gw.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
const got: unknown[] = [];
client.subscribe({ query: `subscription { balanceChanged { playerId version balance { amount currency } balances { amount currency } } }` }, { next: (r) => void got.push(r), error: (e) => console.log("err", e), complete: () => {} });
await new Promise((r) => setTimeout(r, 500));
const staff = await wallet.tokens.staff(["finance"]);
const adj = await post(`mutation($p: ID!) { adjustBalance(playerId: $p, amount: { amount: "12.50", currency: "GBP" }, reason: "smoke", idempotencyKey: "k1") { id walletVersion } }`, { p: playerId }, staff);
console.log("adjust", JSON.stringify(adj));
await new Promise((r) => setTimeout(r, 1500));
console.log("received", JSON.stringify(got));
const twin = await post(`query($p: ID!) { balanceOfPlayer(playerId: $p, currency: "GBP") { version balance { amount } } }`, { p: playerId }, token);
console.log("twin", JSON.stringify(twin));
await client.dispose();
await gw.stop(); await live.close(); await wallet.stop(); await player.stop();
process.exit(0);
