/**
 * A Hub88-like aggregator calling an operator's Wallet API: requests signed with the partner's RSA
 * key (X-Hub88-Signature), answers verified with the operator's public key, amounts in 1/100000 units.
 */
import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from "node:crypto";
import { deliverReliably, NO_CHAOS, type ChaosOptions, type TrafficStats } from "./chaos.ts";
import type { RoundBook } from "./record.ts";
import { Transport, type Delivery } from "./transport.ts";

export interface Hub88SimulatorOptions {
  /** The operator's endpoint for this partner, e.g. http://localhost:4003/rgs/hub88 */
  baseUrl: string;
  partnerPrivateKeyPem: string;
  operatorPublicKeyPem: string;
  transport?: Transport;
}

export interface Hub88Reply {
  delivery: Delivery;
  /** The parsed answer (null when none came). */
  answer: { status?: string; balance?: number; currency?: string; user?: string; request_uuid?: string } | null;
  /** The answer's X-Hub88-Signature verifies with the operator's key. */
  signedByOperator: boolean;
}

/** One round as the aggregator plays it. Amounts in Hub88 units (1/100000). */
export interface Hub88RoundPlan {
  user: string;
  token: string;
  gameCode: string;
  currency: string;
  roundId: string;
  betUnits: bigint;
  winUnits: bigint;
  /** none: bet then win; after: bet then rollback (and a win that must be refused); before: rollback overtakes its bet. */
  rollback: "none" | "after" | "before";
  /** Hub88 units per minor unit of the currency (1000 for GBP). */
  unitsPerMinor: bigint;
}

const TRANSIENT = new Set(["RS_ERROR_UNKNOWN"]);

export class Hub88Simulator {
  private readonly partnerKey: KeyObject;
  private readonly operatorKey: KeyObject;
  private readonly transport: Transport;
  private readonly ownsTransport: boolean;

  constructor(private readonly opts: Hub88SimulatorOptions) {
    this.partnerKey = createPrivateKey(opts.partnerPrivateKeyPem);
    this.operatorKey = createPublicKey(opts.operatorPublicKeyPem);
    this.transport = opts.transport ?? new Transport();
    this.ownsTransport = !opts.transport;
  }

  sign(raw: string): string {
    return sign("sha256", Buffer.from(raw, "utf8"), this.partnerKey).toString("base64");
  }

  /** Sends a body (an object, or raw text for malformed-input tests) with a valid signature unless told otherwise. */
  async send(endpoint: string, body: object | string, opts: { signature?: string | null; drop?: boolean } = {}): Promise<Hub88Reply> {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    const signature = opts.signature === undefined ? this.sign(raw) : opts.signature;
    const delivery = await this.transport.post(this.opts.baseUrl + endpoint, raw, signature === null ? {} : { "x-hub88-signature": signature }, { drop: opts.drop ?? false });
    if (!delivery.answered) return { delivery, answer: null, signedByOperator: false };
    let answer: Hub88Reply["answer"];
    try {
      answer = JSON.parse(delivery.body) as Hub88Reply["answer"];
    } catch {
      answer = null;
    }
    const sig = delivery.headers["x-hub88-signature"];
    const signedByOperator = !!sig && verify("sha256", Buffer.from(delivery.body, "utf8"), this.operatorKey, Buffer.from(sig, "base64"));
    return { delivery, answer, signedByOperator };
  }

  /** Sends until a final answer; the first final answer is returned, every one recorded in the book. */
  private async reliably(endpoint: string, body: object, txId: string, book: RoundBook, chaos: ChaosOptions, stats: TrafficStats): Promise<Hub88Reply> {
    const raw = JSON.stringify(body);
    const replies: Hub88Reply[] = [];
    await deliverReliably(
      async ({ drop }) => {
        const reply = await this.send(endpoint, raw, { drop });
        if (reply.delivery.answered && !TRANSIENT.has(reply.answer?.status ?? "")) replies.push(reply);
        return reply.delivery;
      },
      (d) => {
        try {
          return TRANSIENT.has((JSON.parse(d.body) as { status?: string }).status ?? "");
        } catch {
          return true;
        }
      },
      chaos,
      stats,
    );
    for (const r of replies) {
      book.answered(txId, `${r.answer?.status}:${r.answer?.balance ?? ""}`);
      if (!r.signedByOperator) book.inconsistencies.push(`${txId}: answer not signed by the operator`);
    }
    return replies[0]!;
  }

  /** Plays one round with the given unreliability, recording what the operator accepted. */
  async playRound(plan: Hub88RoundPlan, book: RoundBook, chaos: ChaosOptions, stats: TrafficStats): Promise<void> {
    const betId = randomUUID();
    const common = { user: plan.user, token: plan.token, game_code: plan.gameCode, round: plan.roundId };
    const bet = () =>
      this.reliably(
        "/transaction/bet",
        { ...common, request_uuid: randomUUID(), transaction_uuid: betId, amount: Number(plan.betUnits), currency: plan.currency, is_free: false },
        betId,
        book,
        chaos,
        stats,
      );
    const rollback = async () => {
      const id = randomUUID();
      const r = await this.reliably("/transaction/rollback", { ...common, request_uuid: randomUUID(), transaction_uuid: id, reference_transaction_uuid: betId }, id, book, chaos, stats);
      if (r.answer?.status === "RS_OK") book.rollbackAccepted(plan.roundId, betId);
      return r;
    };
    const win = async () => {
      const id = randomUUID();
      const r = await this.reliably(
        "/transaction/win",
        { ...common, request_uuid: randomUUID(), transaction_uuid: id, reference_transaction_uuid: betId, amount: Number(plan.winUnits), currency: plan.currency },
        id,
        book,
        chaos,
        stats,
      );
      if (r.answer?.status === "RS_OK") book.winAccepted(plan.roundId, id, plan.winUnits / plan.unitsPerMinor);
      return r;
    };

    if (plan.rollback === "before") {
      await rollback();
      const late = await bet();
      if (late.answer?.status === "RS_OK") book.stakeAccepted(plan.roundId, betId, plan.betUnits / plan.unitsPerMinor);
      await win();
      return;
    }
    const placed = await bet();
    if (placed.answer?.status === "RS_OK") book.stakeAccepted(plan.roundId, betId, plan.betUnits / plan.unitsPerMinor);
    if (plan.rollback === "after") await rollback();
    await win();
  }

  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }
}

export { NO_CHAOS };
