import type { PspName } from "./types.ts";
import { PspRequestRefusedError, PspUnavailableError } from "./types.ts";

export interface PspHttpResponse {
  status: number;
  body: string;
}

/**
 * One request to a PSP's API. A network failure, a timeout or a 5xx is PspUnavailableError (the
 * caller may fall back to another PSP); anything else is returned for the adapter to read.
 */
export async function callPsp(
  psp: PspName,
  url: string,
  init: { method: "POST" | "GET"; headers: Record<string, string>; body?: string },
  timeoutMs: number,
): Promise<PspHttpResponse> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const reason = (err as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `unreachable (${(err as Error).message})`;
    throw new PspUnavailableError(psp, reason);
  }
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    throw new PspUnavailableError(psp, `answer cut off (${(err as Error).message})`);
  }
  if (res.status >= 500) throw new PspUnavailableError(psp, `answered ${res.status}`);
  return { status: res.status, body };
}

export function parseJsonAnswer(psp: PspName, res: PspHttpResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    throw new PspRequestRefusedError(psp, `answered ${res.status} with a body that is not JSON`);
  }
}
