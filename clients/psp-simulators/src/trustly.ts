import { createPrivateKey, createPublicKey, createSign, createVerify, generateKeyPairSync, randomInt, randomUUID, type KeyObject } from "node:crypto";
import express from "express";
import { PspSimulatorBase, type PreparedNotification, type SimulatorOptions } from "./delivery.ts";
import { decimalToMinor } from "./money.ts";

export interface TrustlySimulatorOptions extends SimulatorOptions {
  username: string;
  password: string;
  /** PEM of the merchant's public key: requests and answers to notifications must verify with it. */
  merchantPublicKey: string;
  /** PEM of the key this simulated Trustly signs with; generated when absent (read trustlyPublicKey). */
  trustlyPrivateKey?: string;
}

/** Trustly's serialisation: keys sorted at every level, keys and values concatenated, null as empty. */
export function serializeData(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(serializeData).join("");
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    return Object.keys(record)
      .sort()
      .map((k) => k + serializeData(record[k]))
      .join("");
  }
  return String(value);
}

const sign = (key: KeyObject, method: string, uuid: string, data: unknown) => createSign("RSA-SHA1").update(method + uuid + serializeData(data), "utf8").sign(key, "base64");
function verify(key: KeyObject, method: string, uuid: string, data: unknown, signature: unknown): boolean {
  if (typeof signature !== "string") return false;
  try {
    return createVerify("RSA-SHA1").update(method + uuid + serializeData(data), "utf8").verify(key, signature, "base64");
  } catch {
    return false;
  }
}

interface TrustlyNotification extends PreparedNotification {
  method: string;
  uuid: string;
}

/**
 * A Trustly-style bank PSP: signed JSON-RPC requests (Deposit, AccountPayout), signed answers, and
 * signed notifications (pending, credit, debit, cancel) resent until the merchant answers with its
 * own correctly signed JSON-RPC result of status OK for the same uuid and method.
 */
export class TrustlySimulator extends PspSimulatorBase {
  readonly trustlyPublicKey: string;
  private readonly key: KeyObject;
  private readonly merchantKey: KeyObject;
  private readonly messages = new Map<string, unknown>();

  constructor(private readonly config: TrustlySimulatorOptions) {
    super("trustly", config);
    this.key = config.trustlyPrivateKey ? createPrivateKey(config.trustlyPrivateKey) : generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    this.trustlyPublicKey = String(createPublicKey(this.key).export({ type: "spki", format: "pem" }));
    this.merchantKey = createPublicKey(config.merchantPublicKey);
    this.app.use(express.json({ limit: "64kb" }));
    this.app.post("/api/1", (req, res) => {
      res.json(this.call(req.body as { method?: unknown; params?: { Signature?: unknown; UUID?: unknown; Data?: Record<string, unknown> } }));
    });
  }

  /** Signs data as Trustly: tests use it to forge nothing and to build valid notifications. */
  sign(method: string, uuid: string, data: unknown): string {
    return sign(this.key, method, uuid, data);
  }

  protected acknowledged(n: PreparedNotification, status: number, body: string): boolean {
    const { method, uuid } = n as TrustlyNotification;
    if (status !== 200) return false;
    try {
      const result = (JSON.parse(body) as { result?: { signature?: unknown; uuid?: unknown; method?: unknown; data?: { status?: unknown } } }).result;
      return result?.uuid === uuid && result.method === method && result.data?.status === "OK" && verify(this.merchantKey, method, uuid, result.data, result.signature);
    } catch {
      return false;
    }
  }

  private error(uuid: string, method: string, code: number, message: string) {
    const data = { code, message };
    return { version: "1.1", error: { name: "JSONRPCError", code, message, error: { signature: this.sign(method, uuid, data), uuid, method, data } } };
  }

  private call(body: { method?: unknown; params?: { Signature?: unknown; UUID?: unknown; Data?: Record<string, unknown> } }): unknown {
    const method = typeof body.method === "string" ? body.method : "";
    const uuid = typeof body.params?.UUID === "string" ? body.params.UUID : "";
    const data = body.params?.Data ?? {};
    if (!verify(this.merchantKey, method, uuid, data, body.params?.Signature)) return this.error(uuid, method, 636, "ERROR_UNABLE_TO_VERIFY_RSA_SIGNATURE");
    if (data.Username !== this.config.username || data.Password !== this.config.password) return this.error(uuid, method, 616, "ERROR_INVALID_CREDENTIALS");
    if (method !== "Deposit" && method !== "AccountPayout") return this.error(uuid, method, 613, "ERROR_INVALID_PARAMETERS");
    const attributes = (data.Attributes ?? {}) as Record<string, unknown>;
    const amount = String((method === "Deposit" ? attributes.Amount : data.Amount) ?? "");
    const currency = String((method === "Deposit" ? attributes.Currency : data.Currency) ?? "");
    const amountMinor = decimalToMinor(amount, currency);
    const messageId = typeof data.MessageID === "string" ? data.MessageID : "";
    const notificationUrl = typeof data.NotificationURL === "string" ? data.NotificationURL : "";
    if (amountMinor === undefined || amountMinor === 0n || !messageId || !notificationUrl) return this.error(uuid, method, 613, "ERROR_INVALID_PARAMETERS");
    if (this.messages.has(messageId)) return this.error(uuid, method, 637, "ERROR_DUPLICATE_MESSAGE_ID");

    const orderid = String(randomInt(1, 2 ** 47));
    const outcome = this.decide(amountMinor);
    const common = { orderid, messageid: messageId, enduserid: String(data.EndUserID ?? ""), timestamp: this.now().toISOString().replace("T", " ").replace("Z", "+00") };
    const money = { amount, currency };
    const steps: Array<[string, Record<string, unknown>]> =
      outcome === "succeed"
        ? [
            ["pending", { ...common, ...money }],
            [method === "Deposit" ? "credit" : "debit", { ...common, ...money, attributes: {} }],
          ]
        : [
            ["pending", { ...common, ...money }],
            ["cancel", { ...common, attributes: { reason: "Declined by the bank", details: "" } }],
          ];
    this.notify(
      steps.map(([notifyMethod, payload]) => {
        const notifyUuid = randomUUID();
        const notifyData = { ...payload, notificationid: String(randomInt(1, 2 ** 47)) };
        const text = JSON.stringify({ method: notifyMethod, params: { signature: this.sign(notifyMethod, notifyUuid, notifyData), uuid: notifyUuid, data: notifyData }, version: "1.1" });
        const n: TrustlyNotification = { id: notifyData.notificationid, url: notificationUrl, method: notifyMethod, uuid: notifyUuid, build: () => ({ body: text, headers: { "content-type": "application/json" } }) };
        return n;
      }),
    );
    const resultData = method === "Deposit" ? { orderid, url: `https://trustly.invalid/checkout/${orderid}` } : { orderid, result: "1" };
    const answer = { version: "1.1", result: { signature: this.sign(method, uuid, resultData), uuid, method, data: resultData } };
    this.messages.set(messageId, answer);
    return answer;
  }
}
