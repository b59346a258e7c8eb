import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ComplianceClient } from "@casino/compliance-client";
import { serviceHistogram } from "@casino/kernel/http/metrics";
import type { ServiceModule } from "@casino/kernel/service";
import { WalletClient } from "@casino/wallet-client";
import { parse } from "graphql";
import { CircuitBreakers } from "./circuit-breaker.ts";
import { loadPaymentsConfig } from "./config.ts";
import type { PaymentsContext } from "./context.ts";
import { DepositService, type CompliancePort, type WalletPort } from "./deposits/deposit-service.ts";
import { PrismaClient } from "./generated/prisma/client.ts";
import { createLoaders } from "./loaders.ts";
import { policies } from "./policies.ts";
import { createPspRegistry } from "./psp/registry.ts";
import type { PspAdapter, PspName } from "./psp/types.ts";
import { NotificationHandler } from "./notifications/notification-handler.ts";
import { ReconciliationService } from "./reconciliation/reconciliation-service.ts";
import { resolvers } from "./resolvers/index.ts";
import { mountPspCallbacks, pspNotificationPath } from "./rest/psp-callbacks.ts";
import { RouteTable } from "./route-table.ts";
import type { RouteRule } from "./routing.ts";
import { WithdrawalService } from "./withdrawals/withdrawal-service.ts";

export const typeDefs = parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../schema.graphql"), "utf8"));

export interface PaymentsServiceOptions {
  /** Replace the HTTP clients of the wallet and compliance (tests of failures). */
  wallet?: WalletPort;
  compliance?: CompliancePort;
  /** Replace the PSP adapters built from configuration. */
  adapters?: PspAdapter[];
  /** The rules an empty routing table is seeded with (instead of PAYMENTS_ROUTES or the defaults). */
  routes?: readonly RouteRule[];
}

export function createPaymentsService(opts: PaymentsServiceOptions = {}): ServiceModule<PrismaClient, PaymentsContext> {
  return {
    service: "payments",
    createPrisma: (adapter) => new PrismaClient({ adapter }),
    async setup(runtime) {
      const config = loadPaymentsConfig(runtime.env);
      const secret = runtime.config.serviceTokenSecret;
      let wallet = opts.wallet;
      if (!wallet && config.walletUrl) {
        const client = new WalletClient({ baseUrl: config.walletUrl, serviceTokenSecret: secret, caller: "payments" });
        runtime.onShutdown(() => client.close());
        wallet = client;
      }
      let compliance = opts.compliance;
      if (!compliance && config.complianceUrl) {
        const client = new ComplianceClient({ baseUrl: config.complianceUrl, serviceTokenSecret: secret, caller: "payments" });
        runtime.onShutdown(() => client.close());
        compliance = client;
      }
      if (!wallet || !compliance) runtime.log.warn("WALLET_URL / COMPLIANCE_URL not set: deposits are refused (SERVICE_UNAVAILABLE) or not credited");

      let adapters: Map<PspName, PspAdapter>;
      if (opts.adapters) adapters = new Map(opts.adapters.map((a) => [a.name, a]));
      else {
        const registry = await createPspRegistry(config, runtime.log);
        runtime.onShutdown(() => registry.close());
        adapters = registry.adapters;
      }

      // Routing rules live in the database; the first start on an empty table seeds them.
      const routes = new RouteTable(runtime.prisma, runtime.db.sql, runtime.publishOutbox, runtime.log);
      const seedSource = opts.routes ? "seed:service-options" : config.routesFromEnv ? "seed:PAYMENTS_ROUTES" : "seed:defaults";
      if (!(await routes.seed(opts.routes ?? config.routes, seedSource)) && config.routesFromEnv) {
        runtime.log.info("PAYMENTS_ROUTES is set but the routing table already has rules: the table wins (setPaymentRoutes changes it)");
      }

      const publicUrl = () => (config.publicUrl ?? runtime.http.url).replace(/\/$/, "");
      const shared = {
        prisma: runtime.prisma,
        sql: runtime.db.sql,
        adapters,
        routes,
        breakers: new CircuitBreakers<PspName>({ failureThreshold: config.breakerFailures, openMs: config.breakerOpenMs }),
        wallet,
        notificationUrl: (psp: PspName) => publicUrl() + pspNotificationPath(psp),
        log: runtime.log,
      };
      const deposits = new DepositService({ ...shared, compliance });
      const withdrawals = new WithdrawalService({ ...shared, compliance, holdFromMinor: config.withdrawalHoldFromMinor });
      const reconciliation = new ReconciliationService(runtime.prisma, runtime.publishOutbox);
      const notifications = new NotificationHandler({
        sql: runtime.db.sql,
        log: runtime.log,
        settle: async (payment) => {
          if (payment.direction === "WITHDRAWAL") return withdrawals.settleIfDue(payment);
          const credited = await deposits.creditIfDue(payment);
          return credited === "CREDITED" ? "SETTLED" : credited;
        },
      });

      mountPspCallbacks(runtime.http.app, {
        adapters,
        notifications,
        log: runtime.log,
        timing: {
          all: serviceHistogram(runtime.metrics, "payments_psp_notification_seconds", "PSP notifications from arrival to our answer, every outcome (refused, ignored, accepted, retry)"),
          accepted: serviceHistogram(
            runtime.metrics,
            "payments_psp_notification_accepted_seconds",
            "PSP notifications acknowledged as processed: verified, recorded, applied and (for a success) settled in the wallet",
          ),
        },
      });

      // Deposits that succeeded while the wallet could not be reached are credited later; withdrawals
      // whose reservation, payout or settlement could not be done are advanced.
      let sweeping = false;
      const sweep = async () => {
        if (sweeping || !wallet) return;
        sweeping = true;
        try {
          await deposits.creditOutstanding();
          await withdrawals.advanceOutstanding();
        } catch (err) {
          runtime.log.error({ err }, "payments sweep failed");
        } finally {
          sweeping = false;
        }
      };
      const timer = setInterval(() => void sweep(), config.creditSweepMs);
      timer.unref();
      runtime.onShutdown(async () => clearInterval(timer));

      return {
        typeDefs,
        resolvers,
        policies,
        createContext: (base) => ({ ...base, prisma: runtime.prisma, loaders: createLoaders(runtime.prisma), deposits, withdrawals, reconciliation, routes }),
      };
    },
  };
}

export const paymentsService = createPaymentsService();
