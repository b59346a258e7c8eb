import { loadGamesConfig } from "../../src/config.ts";
import { loadRgsConfig } from "../../src/rgs/config.ts";

/** The settings of the RGS path's two group commits: the games database's and the wallet client's. */
describe("RGS write and wallet batching settings", () => {
  it("default to group commit on both paths", () => {
    expect(loadRgsConfig({})).toMatchObject({ writeInFlight: 2, writeBatch: 32 });
    expect(loadGamesConfig({}).walletBatch).toEqual({ maxInFlight: 4, maxBatch: 32 });
  });

  it("take the operator's values, and 0 in flight or 1 per request turns wallet batching off", () => {
    expect(loadRgsConfig({ RGS_WRITE_IN_FLIGHT: "8", RGS_WRITE_BATCH: "1" })).toMatchObject({ writeInFlight: 8, writeBatch: 1 });
    expect(loadGamesConfig({ GAMES_WALLET_BATCH_IN_FLIGHT: "2", GAMES_WALLET_BATCH_MAX: "16" }).walletBatch).toEqual({ maxInFlight: 2, maxBatch: 16 });
    expect(loadGamesConfig({ GAMES_WALLET_BATCH_IN_FLIGHT: "0" }).walletBatch).toBeUndefined();
    expect(loadGamesConfig({ GAMES_WALLET_BATCH_MAX: "1" }).walletBatch).toBeUndefined();
  });

  it.each([
    ["RGS_WRITE_IN_FLIGHT", "0"],
    ["RGS_WRITE_IN_FLIGHT", "65"],
    ["RGS_WRITE_BATCH", "0"],
    ["RGS_WRITE_BATCH", "257"],
    ["RGS_WRITE_BATCH", "many"],
  ])("refuses %s=%s", (name, value) => {
    expect(() => loadRgsConfig({ [name]: value })).toThrow(name);
  });

  it.each([
    ["GAMES_WALLET_BATCH_IN_FLIGHT", "65"],
    ["GAMES_WALLET_BATCH_IN_FLIGHT", "-1"],
    ["GAMES_WALLET_BATCH_MAX", "65"],
    ["GAMES_WALLET_BATCH_MAX", "0"],
  ])("refuses %s=%s", (name, value) => {
    expect(() => loadGamesConfig({ [name]: value })).toThrow(name);
  });
});
