import { Agent, request } from "undici";

export interface Delivery {
  /** False when the answer was lost (the simulator stopped listening, as a timed-out provider does). */
  answered: boolean;
  status: number;
  body: string;
  headers: Record<string, string>;
  ms: number;
}

export interface TransportOptions {
  connections?: number;
  /** Answers slower than this are given up on (the request may still be processed). */
  timeoutMs?: number;
}

/** Posts raw bodies; a "dropped" delivery sends the request and walks away before the answer. */
export class Transport {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(opts: TransportOptions = {}) {
    this.agent = new Agent({ connections: opts.connections ?? 64, keepAliveTimeout: 30_000 });
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  async post(url: string, body: string, headers: Record<string, string>, opts: { drop?: boolean } = {}): Promise<Delivery> {
    const started = performance.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await request(url, {
        method: "POST",
        dispatcher: this.agent,
        headers: { "content-type": "application/json", ...headers },
        body,
        signal: controller.signal,
      });
      if (opts.drop) {
        // The server has processed it; the provider never reads the answer.
        await res.body.dump();
        return { answered: false, status: 0, body: "", headers: {}, ms: performance.now() - started };
      }
      const text = await res.body.text();
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") out[k] = v;
      return { answered: true, status: res.statusCode, body: text, headers: out, ms: performance.now() - started };
    } catch {
      return { answered: false, status: 0, body: "", headers: {}, ms: performance.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
