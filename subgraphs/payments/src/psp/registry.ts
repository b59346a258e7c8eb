import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { Logger } from "@casino/kernel/logger";
import { NuveiSimulator, StripeSimulator, TrustlySimulator, type PspSimulatorBase } from "@casino/psp-simulators";
import type { PaymentsConfig } from "../config.ts";
import { NuveiAdapter } from "./nuvei/adapter.ts";
import { StripeAdapter } from "./stripe/adapter.ts";
import { TrustlyAdapter } from "./trustly/adapter.ts";
import type { InitiateRequest, PspAdapter, PspName } from "./types.ts";

export interface PspRegistry {
  adapters: Map<PspName, PspAdapter>;
  /** The in-process simulators standing in for PSPs without configuration (development, tests). */
  simulators: Map<PspName, PspSimulatorBase>;
  close(): Promise<void>;
}

const generated = (bytes = 24) => randomBytes(bytes).toString("hex");

/**
 * One adapter per PSP: against the configured API, or, outside production and without
 * configuration, against a simulator started in this process with secrets generated here (they
 * exist only in memory and never leave it).
 */
export async function createPspRegistry(config: PaymentsConfig, log: Logger): Promise<PspRegistry> {
  const adapters = new Map<PspName, PspAdapter>();
  const simulators = new Map<PspName, PspSimulatorBase>();
  const simLog = (psp: PspName) => {
    const child = log.child({ component: `${psp}-simulator` });
    return (message: string, fields: Record<string, unknown>) => child.info(fields, message);
  };
  const simOptions = (psp: PspName) => ({ notificationDelayMs: config.simulatorDelayMs, log: simLog(psp) });
  const timeoutMs = config.pspTimeoutMs;

  if (config.stripe.mode === "configured") adapters.set("stripe", new StripeAdapter(config.stripe.config));
  else if (config.stripe.mode === "simulated") {
    const apiKey = `sk_test_${generated()}`;
    const webhookSecrets = [`whsec_${generated()}`];
    const simulator = new StripeSimulator({ apiKey, webhookSecrets, ...simOptions("stripe") });
    const apiUrl = await simulator.listen();
    simulators.set("stripe", simulator);
    const inner = new StripeAdapter({ apiUrl, apiKey, webhookSecrets, toleranceSeconds: 300, timeoutMs });
    // Stripe keeps the webhook endpoint per account: the simulator learns it from the first request.
    adapters.set("stripe", {
      name: inner.name,
      methods: inner.methods,
      initiate: (request: InitiateRequest) => {
        simulator.webhookUrl ??= request.notificationUrl;
        return inner.initiate(request);
      },
      verifyNotification: (n, now) => inner.verifyNotification(n, now),
    });
  }

  if (config.nuvei.mode === "configured") adapters.set("nuvei", new NuveiAdapter(config.nuvei.config));
  else if (config.nuvei.mode === "simulated") {
    const credentials = { merchantId: "sim-merchant", merchantSiteId: "sim-site", secretKey: generated() };
    const simulator = new NuveiSimulator({ ...credentials, ...simOptions("nuvei") });
    simulators.set("nuvei", simulator);
    adapters.set("nuvei", new NuveiAdapter({ apiUrl: await simulator.listen(), ...credentials, timeoutMs }));
  }

  if (config.trustly.mode === "configured") adapters.set("trustly", new TrustlyAdapter(config.trustly.config));
  else if (config.trustly.mode === "simulated") {
    const merchant = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const credentials = { username: "sim-merchant", password: generated() };
    const simulator = new TrustlySimulator({ ...credentials, merchantPublicKey: String(merchant.publicKey.export({ type: "spki", format: "pem" })), ...simOptions("trustly") });
    simulators.set("trustly", simulator);
    adapters.set(
      "trustly",
      new TrustlyAdapter({
        apiUrl: await simulator.listen(),
        ...credentials,
        merchantPrivateKey: String(merchant.privateKey.export({ type: "pkcs8", format: "pem" })),
        trustlyPublicKey: simulator.trustlyPublicKey,
        timeoutMs,
      }),
    );
  }

  if (simulators.size > 0) log.info({ simulated: [...simulators.keys()] }, "PSPs without configuration run as in-process simulators");
  return {
    adapters,
    simulators,
    close: async () => {
      await Promise.all([...simulators.values()].map((s) => s.close()));
    },
  };
}
