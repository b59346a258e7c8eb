import { randomUUID } from "node:crypto";
import { ComplianceUnavailableError, type GameKind, type PlayAnswer, type StakeAnswer } from "@casino/compliance-client";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import type { PrismaClient as WalletPrisma } from "@casino/wallet/generated/prisma/client";
import { Ledger } from "@casino/wallet/ledger/ledger";
import { walletService } from "@casino/wallet";
import { WalletClient, type WalletCommand, type WalletTransactionResult } from "@casino/wallet-client";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import type { RecordedDraw } from "../../src/rng/recording-rng.ts";
import { ScriptedRng } from "../../src/rng/scripted.ts";
import type { DrawRecorder, WalletPort } from "../../src/rounds/rounds.ts";
import { createGamesService } from "../../src/service.ts";

/** TEST ONLY: scripted draws, recorded the way RecordingRng records real ones. */
export class ScriptedRecorder implements DrawRecorder {
  private readonly rng: ScriptedRng;
  private readonly recorded: RecordedDraw[] = [];
  constructor(values: readonly number[]) {
    this.rng = new ScriptedRng(values);
  }
  int(n: number): number {
    const value = this.rng.int(n);
    this.recorded.push({ range: n, bits: 32, raw: [value], value });
    return value;
  }
  get draws(): readonly RecordedDraw[] {
    return this.recorded;
  }
}

/** Compliance as the games service sees it, with answers a test sets per player. */
export class FakeCompliance {
  refusals = new Map<string, string[]>();
  maxSlotStake = new Map<string, bigint>();
  jurisdiction = "GB";
  unavailable = false;
  calls: Array<{ kind: "play" | "stake"; playerId: string; amountMinor?: bigint }> = [];
  /** A player's stake answers wait for this promise (set before the check, released by the test). */
  held = new Map<string, Promise<void>>();

  async play(input: { playerId: string; gameKind: GameKind }): Promise<PlayAnswer> {
    this.calls.push({ kind: "play", playerId: input.playerId });
    this.failIfDown();
    const reasons = this.refusals.get(input.playerId) ?? [];
    const minimumGameCycleMs = input.gameKind === "SLOT" ? 2500 : 5000;
    return {
      allowed: reasons.length === 0,
      reasons,
      jurisdiction: this.jurisdiction,
      currency: "GBP",
      design: { minimumGameCycleMs, autoplayAllowed: false, turboAllowed: false, showNetPositionAndSessionTime: true, source: "RTS 14" },
      maxStake: input.gameKind === "SLOT" ? (this.maxSlotStake.get(input.playerId) ?? 500n) : null,
    };
  }

  async stake(input: { playerId: string; currency: string; amountMinor: bigint; gameKind: GameKind }): Promise<StakeAnswer> {
    this.calls.push({ kind: "stake", playerId: input.playerId, amountMinor: input.amountMinor });
    await this.held.get(input.playerId);
    this.failIfDown();
    const reasons = [...(this.refusals.get(input.playerId) ?? [])];
    const max = input.gameKind === "SLOT" ? (this.maxSlotStake.get(input.playerId) ?? 500n) : null;
    if (max !== null && input.amountMinor > max) reasons.push("STAKE_LIMIT");
    return { allowed: reasons.length === 0, reasons, maxStake: max };
  }

  private failIfDown() {
    if (this.unavailable) throw new ComplianceUnavailableError("compliance could not be reached: test outage", undefined, undefined);
  }
}

/** The wallet client with a switch that loses answers: the command commits, the caller sees a failure. */
export class LossyWallet implements WalletPort {
  loseAnswersOf = new Set<WalletCommand["type"]>();
  down = false;
  constructor(readonly client: WalletClient) {}
  async post(command: WalletCommand): Promise<WalletTransactionResult> {
    if (this.down) throw new Error("connect ECONNREFUSED (test outage)");
    const result = await this.client.post(command);
    if (this.loseAnswersOf.has(command.type)) throw new Error("socket hang up (test: answer lost after commit)");
    return result;
  }
}

export interface RoundsHarness {
  wallet: TestService<WalletPrisma>;
  games: TestService<PrismaClient>;
  compliance: FakeCompliance;
  lossy: LossyWallet;
  payments: WalletClient;
  clock: { now: Date; advance(ms: number): void };
  nextDraws: number[][];
  stop(): Promise<void>;
}

export async function startRoundsHarness(): Promise<RoundsHarness> {
  const wallet = await startTestService(walletService);
  const base = wallet.url.replace(/\/graphql$/, "");
  const gamesClient = new WalletClient({ baseUrl: base, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "games", attempts: 1 });
  const payments = new WalletClient({ baseUrl: base, serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "payments", attempts: 1 });
  const lossy = new LossyWallet(gamesClient);
  const compliance = new FakeCompliance();
  const clock = {
    now: new Date("2026-11-29T12:00:00Z"),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const nextDraws: number[][] = [];
  const games = await startTestService(
    createGamesService({
      now: () => clock.now,
      wallet: lossy,
      compliance,
      // Scripted when a test queued draws, the real CSPRNG otherwise.
      rng: () => new ScriptedRecorder(nextDraws.shift() ?? Array.from({ length: 64 }, () => 0)),
    }),
    // The opening transaction waits up to 1 s for compliance (PostgreSQL), so that a test holding
    // the answer for less sees that path and one holding it for longer sees the fallback.
    { GAMES_RECOVERY_POLL_MS: "3600000", GAMES_HOLD_FOR_COMPLIANCE_MS: "1000" },
  );
  return {
    wallet,
    games,
    compliance,
    lossy,
    payments,
    clock,
    nextDraws,
    async stop() {
      await Promise.all([gamesClient.close(), payments.close()]);
      await games.stop();
      await wallet.stop();
    },
  };
}

/** A player with a GBP wallet holding `depositMinor`. */
export async function fundedPlayer(h: RoundsHarness, depositMinor: bigint): Promise<string> {
  const playerId = randomUUID();
  const ledger = new Ledger(h.wallet.runtime.prisma, h.wallet.runtime.db.sql, () => undefined);
  await h.wallet.runtime.prisma.$transaction((tx) => ledger.openWallet(tx, playerId, "GBP"));
  if (depositMinor > 0n) await h.payments.post({ type: "DEPOSIT", playerId, currency: "GBP", amount: depositMinor.toString(), idempotencyKey: `dep-${randomUUID()}`, counterRef: "stripe" });
  return playerId;
}

export async function cashOf(h: RoundsHarness, playerId: string): Promise<bigint> {
  return BigInt((await h.payments.balance(playerId, "GBP")).cash);
}
