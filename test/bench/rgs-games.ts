/**
 * The games service for bench:rgs (forked as a child process): the real service, RGS callbacks
 * mounted by its own setup, launch sessions from the games database and the wallet over its internal
 * API (WALLET_URL), with one difference: a compliance gate that allows every stake. Compliance has
 * its own benchmark (bench:compliance: stake check p50 0.5 ms); here it would need KYC-verified,
 * GAMSTOP-screened players in another service. The figures of bench:rgs therefore exclude the
 * compliance round trip of each bet.
 */
import { runServiceMain } from "@casino/kernel/service";
import { createGamesService } from "@casino/games";

await runServiceMain(
  createGamesService({
    compliance: {
      play: async () => ({ allowed: true, reasons: [], jurisdiction: "GB", currency: "GBP", design: null, maxStake: null }),
      stake: async () => ({ allowed: true, reasons: [], maxStake: null }),
    },
  }),
);
