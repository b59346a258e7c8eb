/**
 * A SoftSwiss-style game provider: /play batches of bet and win actions, /rollback actions, every body
 * signed with X-REQUEST-SIGN (hex HMAC-SHA256), amounts in minor units, errors as HTTP 412 codes.
 */
import { createHmac, randomUUID } from "node:crypto";
import { deliverReliably, type ChaosOptions, type TrafficStats } from "./chaos.ts";
import type { RoundBook } from "./record.ts";
import { Transport, type Delivery } from "./transport.ts";

export interface SoftswissSimulatorOptions {
  /** e.g. http://localhost:4003/rgs/softswiss */
  baseUrl: string;
  secret: string;
  transport?: Transport;
}

export interface SoftswissReply {
  delivery: Delivery;
  answer: { balance?: number; code?: number; message?: string; game_id?: string; transactions?: Array<{ action_id: string; tx_id: string; processed_at: string }> } | null;
}

export interface SoftswissRoundPlan {
  user: string;
  session: string;
  game: string;
  currency: string;
  roundId: string;
  bet: bigint;
  win: bigint;
  /** normal: one /play [bet, win]; rollbackAfter: /play [bet], then /rollback; rollbackBefore: /rollback overtakes the /play. */
  mode: "normal" | "rollbackAfter" | "rollbackBefore";
}

/** 500 answers ("unknown error") are retried; 412 answers are final. */
const transient = (d: Delivery) => d.status >= 500 || (d.status === 412 && d.body.includes('"code":500'));

export class SoftswissSimulator {
  private readonly transport: Transport;
  private readonly ownsTransport: boolean;

  constructor(private readonly opts: SoftswissSimulatorOptions) {
    this.transport = opts.transport ?? new Transport();
    this.ownsTransport = !opts.transport;
  }

  sign(raw: string): string {
    return createHmac("sha256", this.opts.secret).update(raw).digest("hex");
  }

  async send(endpoint: string, body: object | string, opts: { signature?: string | null; drop?: boolean } = {}): Promise<SoftswissReply> {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    const signature = opts.signature === undefined ? this.sign(raw) : opts.signature;
    const delivery = await this.transport.post(this.opts.baseUrl + endpoint, raw, signature === null ? {} : { "x-request-sign": signature }, { drop: opts.drop ?? false });
    if (!delivery.answered) return { delivery, answer: null };
    try {
      return { delivery, answer: JSON.parse(delivery.body) as SoftswissReply["answer"] };
    } catch {
      return { delivery, answer: null };
    }
  }

  private async reliably(endpoint: string, body: object, ids: string[], book: RoundBook, chaos: ChaosOptions, stats: TrafficStats): Promise<SoftswissReply> {
    const raw = JSON.stringify(body);
    const replies: SoftswissReply[] = [];
    await deliverReliably(
      async ({ drop }) => {
        const reply = await this.send(endpoint, raw, { drop });
        if (reply.delivery.answered && !transient(reply.delivery)) replies.push(reply);
        return reply.delivery;
      },
      transient,
      chaos,
      stats,
    );
    const key = ids.join("+");
    // processed_at and tx_id are part of the answer: a replay must give the same ones.
    for (const r of replies) book.answered(key, `${r.delivery.status}:${JSON.stringify(r.answer)}`);
    return replies[0]!;
  }

  async playRound(plan: SoftswissRoundPlan, book: RoundBook, chaos: ChaosOptions, stats: TrafficStats): Promise<void> {
    const betId = randomUUID();
    const winId = randomUUID();
    const round = { user_id: plan.user, session_id: plan.session, currency: plan.currency, game: plan.game, game_id: plan.roundId };
    const rollback = async () => {
      const id = randomUUID();
      const r = await this.reliably("/rollback", { ...round, actions: [{ action: "rollback", action_id: id, original_action_id: betId }] }, [id], book, chaos, stats);
      if (r.delivery.status === 200) book.rollbackAccepted(plan.roundId, betId);
    };
    const play = async (actions: Array<{ action: "bet" | "win"; action_id: string; amount: number }>) => {
      const r = await this.reliably("/play", { ...round, finished: actions.some((a) => a.action === "win"), actions }, actions.map((a) => a.action_id), book, chaos, stats);
      if (r.delivery.status !== 200) return;
      // All or none: a 200 means every action of the batch was applied.
      for (const a of actions) {
        if (a.action === "bet") book.stakeAccepted(plan.roundId, a.action_id, BigInt(a.amount));
        else book.winAccepted(plan.roundId, a.action_id, BigInt(a.amount));
      }
    };
    const bet = { action: "bet" as const, action_id: betId, amount: Number(plan.bet) };
    const win = { action: "win" as const, action_id: winId, amount: Number(plan.win) };
    switch (plan.mode) {
      case "normal":
        await play([bet, win]);
        return;
      case "rollbackAfter":
        await play([bet]);
        await rollback();
        return;
      case "rollbackBefore":
        await rollback();
        await play([bet, win]);
        return;
    }
  }

  async close(): Promise<void> {
    if (this.ownsTransport) await this.transport.close();
  }
}
