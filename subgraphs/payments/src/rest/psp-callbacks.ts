import type { Logger } from "@casino/kernel/logger";
import express, { type Express, type Response } from "express";
import type { NotificationHandler } from "../notifications/notification-handler.ts";
import type { HttpAnswer, PspAdapter, PspName } from "../psp/types.ts";

export const pspNotificationPath = (psp: PspName) => `/psp/${psp}/notifications`;

/** A Prometheus histogram as seen here (serviceHistogram's). */
interface Observer {
  observe(seconds: number): void;
}

export interface PspCallbackDeps {
  adapters: ReadonlyMap<PspName, PspAdapter>;
  notifications: NotificationHandler;
  log: Logger;
  now?: () => Date;
  /** Seconds from a notification's arrival to our answer: every one, and the accepted ones. */
  timing?: { all: Observer; accepted: Observer };
}

const send = (res: Response, answer: HttpAnswer) => void res.status(answer.status).type(answer.contentType).send(answer.body);

/**
 * POST /psp/<name>/notifications for every configured PSP: authenticated by the PSP's own
 * signature or checksum only (never a JWT), answered exactly as that PSP expects. A request that
 * does not verify writes nothing; an authentic one of a type the platform does not act on is
 * acknowledged and kept; a payment notification is applied at most once per PSP notification id.
 */
export function mountPspCallbacks(app: Express, deps: PspCallbackDeps): void {
  const log = deps.log.child({ component: "psp-callbacks" });
  for (const [name, adapter] of deps.adapters) {
    app.post(pspNotificationPath(name), express.raw({ type: () => true, limit: "256kb" }), async (req, res) => {
      const started = process.hrtime.bigint();
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value[0] : value;
      const verdict = adapter.verifyNotification({ headers, rawBody }, deps.now?.() ?? new Date());
      const done = (outcome: "rejected" | "ignored" | "accepted" | "retry" | "error", answer: HttpAnswer) => {
        send(res, answer);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        deps.timing?.all.observe(seconds);
        if (outcome === "accepted") deps.timing?.accepted.observe(seconds);
      };
      switch (verdict.outcome) {
        case "REJECTED":
          log.warn({ psp: name, reason: verdict.reason, detail: verdict.detail }, "PSP notification refused; nothing written");
          return done("rejected", verdict.answer);
        case "IGNORED":
          log.info({ psp: name, notificationId: verdict.notificationId, type: verdict.pspType }, "PSP notification of a type not acted on; acknowledged");
          try {
            await deps.notifications.recordIgnored(name, verdict.notificationId, verdict.pspType, verdict.raw);
          } catch (err) {
            log.error({ err, psp: name }, "could not keep an ignored notification; acknowledged anyway");
          }
          return done("ignored", verdict.answer);
        case "EVENT": {
          const { event } = verdict;
          try {
            const disposition = await deps.notifications.handle(event);
            log.info({ psp: name, notificationId: event.notificationId, paymentId: event.merchantReference, status: event.status, disposition }, "PSP notification handled");
            return done(disposition === "ACCEPTED" ? "accepted" : "retry", verdict.answer(disposition));
          } catch (err) {
            log.error({ err, psp: name, notificationId: event.notificationId }, "PSP notification failed; the PSP will resend it");
            return done("error", verdict.answer("RETRY"));
          }
        }
        default: {
          const unreachable: never = verdict;
          throw new Error(`unhandled verdict ${JSON.stringify(unreachable)}`);
        }
      }
    });
  }
}
