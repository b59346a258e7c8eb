import { ComplianceUnavailableError, type CheckAnswer } from "@casino/compliance-client";
import { appError } from "@casino/kernel/errors";
import type { Logger } from "@casino/kernel/logger";

/**
 * Asks compliance before a deposit or a withdrawal, failing closed: no compliance configured or no
 * answer refuses the payment (SERVICE_UNAVAILABLE); a refusal is FORBIDDEN with compliance's reasons
 * (and `extra` facts of the answer). Nothing is written before this returns.
 */
export async function askComplianceOrRefuse<A extends CheckAnswer>(
  what: "deposit" | "withdrawal",
  ask: (() => Promise<A>) | undefined,
  log: Logger,
  playerId: string,
  extra: (answer: A) => Record<string, unknown> = () => ({}),
): Promise<A> {
  const noun = what === "deposit" ? "Deposits" : "Withdrawals";
  if (!ask) throw appError("SERVICE_UNAVAILABLE", `${noun} are not available: compliance is not configured`);
  let answer: A;
  try {
    answer = await ask();
  } catch (err) {
    if (err instanceof ComplianceUnavailableError) {
      log.warn({ playerId, err: err.message }, `compliance did not answer; ${what} refused`);
      throw appError("SERVICE_UNAVAILABLE", `${noun} are briefly unavailable; please try again shortly`);
    }
    throw err;
  }
  if (!answer.allowed) throw appError("FORBIDDEN", `This ${what} is not allowed: ${answer.reasons.join(", ")}`, { reasons: answer.reasons, ...extra(answer) });
  return answer;
}
