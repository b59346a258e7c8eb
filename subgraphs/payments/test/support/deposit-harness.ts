import { generateKeyPairSync, randomUUID } from "node:crypto";
import { ComplianceUnavailableError, type DepositAnswer, type RiskLevel, type WithdrawalAnswer, type WithdrawalReviewReason } from "@casino/compliance-client";
import { TEST_SERVICE_TOKEN_SECRET, startTestService, type TestService } from "@casino/kernel/testing/service-harness";
import { NuveiSimulator, StripeSimulator, TrustlySimulator } from "@casino/psp-simulators";
import { walletService } from "@casino/wallet";
import type { PrismaClient as WalletPrisma } from "@casino/wallet/generated/prisma/client";
import { Ledger } from "@casino/wallet/ledger/ledger";
import { WalletClient, type WalletCommand, type WalletTransactionResult } from "@casino/wallet-client";
import type { CompliancePort, WalletPort } from "../../src/deposits/deposit-service.ts";
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import { createPaymentsService } from "../../src/service.ts";

/** Compliance as payments sees it, with answers a test sets per player. */
export class FakeCompliance implements CompliancePort {
  refusals = new Map<string, string[]>();
  /** The player's risk level in both answers; LOW when not set. */
  risk = new Map<string, RiskLevel>();
  unavailable = false;
  calls = 0;
  async deposit(input: { playerId: string; currency: string; amountMinor: bigint }): Promise<DepositAnswer> {
    this.calls += 1;
    if (this.unavailable) throw new ComplianceUnavailableError("compliance could not be reached: test outage", undefined, undefined);
    const reasons = this.refusals.get(input.playerId) ?? [];
    return { allowed: reasons.length === 0, reasons, remaining: null, riskLevel: this.risk.get(input.playerId) ?? "LOW" };
  }
  /** Per player: withdrawal refusals, and review reasons (a hold) for withdrawals compliance allows. */
  withdrawalRefusals = new Map<string, string[]>();
  reviews = new Map<string, WithdrawalReviewReason[]>();
  withdrawalCalls = 0;
  async withdrawal(input: { playerId: string; currency: string; amountMinor: bigint }): Promise<WithdrawalAnswer> {
    this.withdrawalCalls += 1;
    if (this.unavailable) throw new ComplianceUnavailableError("compliance could not be reached: test outage", undefined, undefined);
    const reasons = this.withdrawalRefusals.get(input.playerId) ?? [];
    const reviewReasons = this.reviews.get(input.playerId) ?? [];
    return { allowed: reasons.length === 0, reasons, reviewRequired: reviewReasons.length > 0, reviewReasons, riskLevel: this.risk.get(input.playerId) ?? "LOW" };
  }
}

/** The real wallet client with a switch that makes the wallet unreachable. */
export class SwitchableWallet implements WalletPort {
  down = false;
  constructor(readonly client: WalletClient) {}
  post(command: WalletCommand): Promise<WalletTransactionResult> {
    if (this.down) return Promise.reject(new Error("connect ECONNREFUSED (test outage)"));
    return this.client.post(command);
  }
}

export const SECRETS = {
  stripeKey: "sk_test_deposits_harness",
  stripeWebhook: "whsec_deposits_harness_0123456789",
  nuvei: { merchantId: "m-h", merchantSiteId: "s-h", secretKey: "nuvei-deposits-harness-secret" },
  trustly: { username: "harness", password: "harness-password" },
};

export interface DepositHarness {
  wallet: TestService<WalletPrisma>;
  payments: TestService<PrismaClient>;
  walletClient: WalletClient;
  switchable: SwitchableWallet;
  compliance: FakeCompliance;
  stripe: StripeSimulator;
  nuvei: NuveiSimulator;
  trustly: TrustlySimulator;
  notificationUrl(psp: "stripe" | "nuvei" | "trustly"): string;
  stop(): Promise<void>;
}

/**
 * The wallet (real, in this process), payments configured against three PSP simulators started
 * here (fast notifications and retries), and a fake compliance.
 */
export async function startDepositHarness(env: Record<string, string> = {}): Promise<DepositHarness> {
  const timing = { notificationDelayMs: 20, retryDelayMs: 50, maxRetryDelayMs: 200, hangMs: 3_000 };
  const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const stripe = new StripeSimulator({ apiKey: SECRETS.stripeKey, webhookSecrets: [SECRETS.stripeWebhook], ...timing });
  const nuvei = new NuveiSimulator({ ...SECRETS.nuvei, ...timing });
  const trustly = new TrustlySimulator({ ...SECRETS.trustly, merchantPublicKey: String(merchant.publicKey.export({ type: "spki", format: "pem" })), ...timing });
  const [stripeUrl, nuveiUrl, trustlyUrl] = await Promise.all([stripe.listen(), nuvei.listen(), trustly.listen()]);

  const wallet = await startTestService(walletService);
  const walletClient = new WalletClient({ baseUrl: wallet.url.replace(/\/graphql$/, ""), serviceTokenSecret: TEST_SERVICE_TOKEN_SECRET, caller: "payments", attempts: 1 });
  const switchable = new SwitchableWallet(walletClient);
  const compliance = new FakeCompliance();
  const payments = await startTestService(createPaymentsService({ wallet: switchable, compliance }), {
    PSP_TIMEOUT_MS: "1000",
    PAYMENTS_CREDIT_SWEEP_MS: "3600000",
    // Outages in one test must not keep a PSP's circuit open for the next.
    PSP_BREAKER_OPEN_MS: "100",
    STRIPE_API_URL: stripeUrl,
    STRIPE_API_KEY: SECRETS.stripeKey,
    STRIPE_WEBHOOK_SECRETS: SECRETS.stripeWebhook,
    NUVEI_API_URL: nuveiUrl,
    NUVEI_MERCHANT_ID: SECRETS.nuvei.merchantId,
    NUVEI_MERCHANT_SITE_ID: SECRETS.nuvei.merchantSiteId,
    NUVEI_SECRET_KEY: SECRETS.nuvei.secretKey,
    TRUSTLY_API_URL: trustlyUrl,
    TRUSTLY_USERNAME: SECRETS.trustly.username,
    TRUSTLY_PASSWORD: SECRETS.trustly.password,
    TRUSTLY_MERCHANT_PRIVATE_KEY: String(merchant.privateKey.export({ type: "pkcs8", format: "pem" })),
    TRUSTLY_PUBLIC_KEY: trustly.trustlyPublicKey,
    ...env,
  });
  const base = payments.url.replace(/\/graphql$/, "");
  stripe.webhookUrl = `${base}/psp/stripe/notifications`;
  return {
    wallet,
    payments,
    walletClient,
    switchable,
    compliance,
    stripe,
    nuvei,
    trustly,
    notificationUrl: (psp) => `${base}/psp/${psp}/notifications`,
    async stop() {
      await Promise.all([stripe.close(), nuvei.close(), trustly.close()]);
      await payments.stop();
      await walletClient.close();
      await wallet.stop();
    },
  };
}

/** A player with an empty wallet in `currency`. */
export async function playerWithWallet(h: DepositHarness, currency = "GBP"): Promise<string> {
  const playerId = randomUUID();
  const ledger = new Ledger(h.wallet.runtime.prisma, h.wallet.runtime.db.sql, () => undefined);
  await h.wallet.runtime.prisma.$transaction((tx) => ledger.openWallet(tx, playerId, currency));
  return playerId;
}

export async function cashOf(h: DepositHarness, playerId: string, currency = "GBP"): Promise<bigint> {
  return BigInt((await h.walletClient.balance(playerId, currency)).cash);
}

export const countWalletTransactions = (h: DepositHarness, playerId: string) => h.wallet.runtime.prisma.ledgerTransaction.count({ where: { playerId } });
