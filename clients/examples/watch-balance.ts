/**
 * Prints a player's live balance updates: the `balanceChanged` subscription over graphql-ws, the way
 * a front end opens it (the access token goes in connection_init, never in the URL).
 *
 *   PLAYER_TOKEN=<accessToken> node --import tsx clients/examples/watch-balance.ts [ws://localhost:4000/graphql]
 */
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const token = process.env.PLAYER_TOKEN;
if (!token) {
  process.stderr.write("set PLAYER_TOKEN to a player's access token\n");
  process.exit(2);
}
const url = process.argv[2] ?? "ws://localhost:4000/graphql";

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
  on: { closed: (event) => process.stderr.write(`connection closed (${(event as { code?: number }).code ?? "?"})\n`) },
});

const stop = client.subscribe(
  { query: "subscription { balanceChanged { playerId version balance { amount currency } balances { amount currency } } }" },
  {
    next: (message) => process.stdout.write(`${JSON.stringify(message.data)}\n`),
    error: (err) => {
      process.stderr.write(`subscription error: ${JSON.stringify(err)}\n`);
      process.exitCode = 1;
    },
    complete: () => undefined,
  },
);
process.stderr.write(`watching balance updates on ${url} (Ctrl-C to stop)\n`);
process.once("SIGINT", () => {
  stop();
  void client.dispose();
});
