import { createHash, randomInt } from "node:crypto";
import express from "express";
import { PspSimulatorBase, type PreparedNotification, type SimulatorOptions } from "./delivery.ts";
import { decimalToMinor } from "./money.ts";

export interface NuveiSimulatorOptions extends SimulatorOptions {
  merchantId: string;
  merchantSiteId: string;
  secretKey: string;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
/** "2026-11-29.12:00:00", the responseTimeStamp of a DMN. */
const dmnTimestamp = (d: Date) => d.toISOString().slice(0, 19).replace("T", ".");

/**
 * A Nuvei-style PSP: JSON API requests carrying a SHA-256 checksum, and form-encoded DMNs carrying
 * advanceResponseChecksum, resent until the merchant answers HTTP 200.
 */
export class NuveiSimulator extends PspSimulatorBase {
  private readonly requests = new Map<string, unknown>();

  constructor(private readonly config: NuveiSimulatorOptions) {
    super("nuvei", config);
    this.app.use(express.json({ limit: "64kb" }));
    this.app.post("/ppp/api/v1/payment.do", (req, res) => {
      res.json(this.transaction(req.body as Record<string, unknown>, "Sale"));
    });
    this.app.post("/ppp/api/v1/payout.do", (req, res) => {
      res.json(this.transaction(req.body as Record<string, unknown>, "Payout"));
    });
  }

  /** The DMN checksum: SHA-256 of the secret, totalAmount, currency, responseTimeStamp, PPP_TransactionID, Status, productId. */
  dmnChecksum(f: Record<string, string>): string {
    return sha256(this.config.secretKey + f.totalAmount + f.currency + f.responseTimeStamp + f.PPP_TransactionID + f.Status + f.productId);
  }

  protected acknowledged(_n: PreparedNotification, status: number): boolean {
    return status === 200;
  }

  private transaction(body: Record<string, unknown>, transactionType: "Sale" | "Payout"): unknown {
    const s = (k: string) => (typeof body[k] === "string" ? (body[k] as string) : "");
    const { merchantId, merchantSiteId, secretKey } = this.config;
    const expected = sha256(s("merchantId") + s("merchantSiteId") + s("clientRequestId") + s("amount") + s("currency") + s("timeStamp") + secretKey);
    if (s("merchantId") !== merchantId || s("merchantSiteId") !== merchantSiteId || s("checksum") !== expected) {
      return { status: "ERROR", errCode: 1001, reason: "Invalid checksum", version: "1.0" };
    }
    const amountMinor = decimalToMinor(s("amount"), s("currency"));
    const notificationUrl = (body.urlDetails as { notificationUrl?: string } | undefined)?.notificationUrl;
    if (amountMinor === undefined || amountMinor === 0n || !s("clientRequestId") || !s("clientUniqueId")) {
      return { status: "ERROR", errCode: 1010, reason: "Invalid amount or missing parameters", version: "1.0" };
    }
    // A repeated clientRequestId is the same request: the same answer, no second transaction.
    const replay = this.requests.get(s("clientRequestId"));
    if (replay) return replay;
    const transactionId = String(randomInt(1, 2 ** 47));
    const outcome = this.decide(amountMinor);
    let answer: unknown;
    if (outcome === "decline-at-once") {
      answer = { status: "SUCCESS", transactionStatus: "DECLINED", transactionId, gwErrorCode: -1, gwErrorReason: "Decline", version: "1.0" };
    } else {
      answer = { status: "SUCCESS", transactionStatus: "PENDING", transactionId, redirectUrl: `https://nuvei.invalid/pay/${transactionId}`, version: "1.0" };
      if (notificationUrl) {
        const final = outcome === "succeed" ? "APPROVED" : "DECLINED";
        const ppp = String(randomInt(1, 2 ** 31));
        this.notify(
          ["PENDING", final].map((status) => {
            const fields: Record<string, string> = {
              ppp_status: status === "DECLINED" ? "FAIL" : "OK",
              Status: status,
              totalAmount: s("amount"),
              currency: s("currency"),
              responseTimeStamp: dmnTimestamp(this.now()),
              PPP_TransactionID: ppp,
              TransactionID: transactionId,
              productId: transactionType === "Sale" ? "deposit" : "payout",
              clientUniqueId: s("clientUniqueId"),
              clientRequestId: s("clientRequestId"),
              transactionType,
              ...(status === "DECLINED" ? { Reason: "Insufficient funds", ReasonCode: "1" } : {}),
            };
            const body = new URLSearchParams({ ...fields, advanceResponseChecksum: this.dmnChecksum(fields) }).toString();
            return { id: `${ppp}:${transactionId}:${status}`, url: notificationUrl, build: () => ({ body, headers: { "content-type": "application/x-www-form-urlencoded" } }) };
          }),
        );
      }
    }
    this.requests.set(s("clientRequestId"), answer);
    return answer;
  }
}
