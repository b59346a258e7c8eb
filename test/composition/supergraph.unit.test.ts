import fs from "node:fs";
import { SUPERGRAPH_PATH, composeSupergraph } from "../../schema/compose.ts";

describe("the committed supergraph", () => {
  const result = composeSupergraph();

  it("composes from the six subgraphs without errors or hints", () => {
    expect(result.errors).toEqual([]);
    expect(result.hints).toEqual([]);
    expect(result.supergraphSdl).toContain("join__Graph");
  });

  it("is exactly what composition produces now (run `npm run compose` and commit when this fails)", () => {
    expect(fs.readFileSync(SUPERGRAPH_PATH, "utf8")).toBe(result.supergraphSdl);
  });

  it("federates every subgraph and the entities the platform relies on", () => {
    const sdl = result.supergraphSdl ?? "";
    for (const name of ["PLAYER", "WALLET", "GAMES", "PAYMENTS", "COMPLIANCE", "REPORTING"]) expect(sdl).toContain(`${name} @join__graph`);
    for (const entity of ["type Player", "type Wallet", "type Game", "type Provider", "type Payment", "type PlayerRestrictions", "type DailyReport"]) {
      expect(sdl).toContain(entity);
    }
    expect(sdl).toMatch(/type Subscription[^}]*balanceChanged: BalanceUpdate!/);
  });
});
