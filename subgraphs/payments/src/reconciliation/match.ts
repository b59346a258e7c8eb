import type { SettlementLine } from "./settlement-files.ts";

/** A payment as reconciliation compares it. */
export interface InternalPayment {
  id: string;
  direction: "DEPOSIT" | "WITHDRAWAL";
  status: string;
  pspReference: string | null;
  amountMinor: bigint;
  currency: string;
  /** When the money moved here (credited or settled in the wallet), else the last change. */
  settledAt: Date;
}

export type MismatchKind = "MISSING_INTERNALLY" | "MISSING_AT_PSP" | "AMOUNT_DIFFERS" | "CURRENCY_DIFFERS" | "DIRECTION_DIFFERS" | "NOT_SETTLED_INTERNALLY" | "DUPLICATE_LINE";

export interface Mismatch {
  kind: MismatchKind;
  pspReference: string;
  paymentId: string | null;
  lineNumber: number | null;
  expectedMinor: bigint | null;
  expectedCurrency: string | null;
  actualMinor: bigint | null;
  actualCurrency: string | null;
  detail: string;
}

/** Internal states in which the money has moved at the PSP. */
const SETTLED = new Set(["SUCCEEDED", "PAID"]);

/**
 * Every line against our records, and every settled payment of the file's period against the
 * lines: each difference is one mismatch (expected = ours, actual = the PSP's).
 * `inPeriod` says which of our settled payments the file should contain.
 */
export function reconcile(lines: readonly SettlementLine[], payments: readonly InternalPayment[], inPeriod: (p: InternalPayment) => boolean): { matched: number; mismatches: Mismatch[] } {
  const byReference = new Map(payments.filter((p) => p.pspReference !== null).map((p) => [p.pspReference!, p]));
  const seen = new Set<string>();
  const mismatches: Mismatch[] = [];
  let matched = 0;
  for (const line of lines) {
    const base = { pspReference: line.pspReference, lineNumber: line.lineNumber, actualMinor: line.amountMinor, actualCurrency: line.currency };
    if (seen.has(line.pspReference)) {
      mismatches.push({ ...base, kind: "DUPLICATE_LINE", paymentId: byReference.get(line.pspReference)?.id ?? null, expectedMinor: null, expectedCurrency: null, detail: "the file settles this reference more than once" });
      continue;
    }
    seen.add(line.pspReference);
    const p = byReference.get(line.pspReference);
    if (!p) {
      mismatches.push({ ...base, kind: "MISSING_INTERNALLY", paymentId: null, expectedMinor: null, expectedCurrency: null, detail: `no payment has PSP reference ${line.pspReference}` });
      continue;
    }
    const expected = { paymentId: p.id, expectedMinor: p.amountMinor, expectedCurrency: p.currency };
    const lineDirection = line.kind === "DEPOSIT" ? "DEPOSIT" : "WITHDRAWAL";
    const before = mismatches.length;
    if (p.direction !== lineDirection) mismatches.push({ ...base, ...expected, kind: "DIRECTION_DIFFERS", detail: `the PSP settled a ${lineDirection}, the payment is a ${p.direction}` });
    if (p.currency !== line.currency) mismatches.push({ ...base, ...expected, kind: "CURRENCY_DIFFERS", detail: `${line.currency} at the PSP, ${p.currency} here` });
    else if (p.amountMinor !== line.amountMinor) mismatches.push({ ...base, ...expected, kind: "AMOUNT_DIFFERS", detail: `${line.amountMinor} minor units at the PSP, ${p.amountMinor} here` });
    if (!SETTLED.has(p.status)) mismatches.push({ ...base, ...expected, kind: "NOT_SETTLED_INTERNALLY", detail: `the PSP settled it, the payment is ${p.status}` });
    if (mismatches.length === before) matched += 1;
  }
  for (const p of payments) {
    if (p.pspReference !== null && SETTLED.has(p.status) && inPeriod(p) && !seen.has(p.pspReference)) {
      mismatches.push({
        kind: "MISSING_AT_PSP",
        pspReference: p.pspReference,
        paymentId: p.id,
        lineNumber: null,
        expectedMinor: p.amountMinor,
        expectedCurrency: p.currency,
        actualMinor: null,
        actualCurrency: null,
        detail: `the payment is ${p.status} here, the PSP's file does not settle it`,
      });
    }
  }
  return { matched, mismatches };
}
