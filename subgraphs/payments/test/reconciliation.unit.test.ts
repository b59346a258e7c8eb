import { reconcile, type InternalPayment } from "../src/reconciliation/match.ts";
import { parseSettlementFile, splitCsvLine } from "../src/reconciliation/settlement-files.ts";

describe("settlement files, one format per PSP", () => {
  it("reads Stripe's itemized balance report: signed decimal gross, lower-case currency", () => {
    const lines = parseSettlementFile(
      "stripe",
      ["balance_transaction_id,created_utc,reporting_category,gross,currency,source_id", "txn_1,2026-11-29 10:00:00,charge,25.00,gbp,pi_1", 'txn_2,2026-11-29 11:00:00,payout,"-40.50",gbp,po_1', ""].join("\r\n"),
    );
    expect(lines).toEqual([
      { lineNumber: 2, pspReference: "pi_1", kind: "DEPOSIT", amountMinor: 2500n, currency: "GBP", occurredAt: new Date("2026-11-29T10:00:00Z") },
      { lineNumber: 3, pspReference: "po_1", kind: "PAYOUT", amountMinor: 4050n, currency: "GBP", occurredAt: new Date("2026-11-29T11:00:00Z") },
    ]);
  });

  it("reads Nuvei's report and Trustly's semicolon-separated one, with exact amounts per currency", () => {
    expect(parseSettlementFile("nuvei", "Transaction ID,Date,Type,Amount,Currency,Client Unique ID\n111,2026-11-29 10:00:00,Sale,1500,JPY,abc")[0]).toMatchObject({ amountMinor: 1500n, currency: "JPY", kind: "DEPOSIT" });
    expect(parseSettlementFile("trustly", "datestamp;orderid;messageid;amount;currency;type\n2026-11-29 10:00:00;987;pay:x;1.005;KWD;withdrawal")[0]).toMatchObject({ pspReference: "987", amountMinor: 1005n, kind: "PAYOUT" });
  });

  it.each([
    ["stripe", "balance_transaction_id,created_utc,gross,currency,source_id\n", /line 1: the header lacks reporting_category/],
    ["stripe", "balance_transaction_id,created_utc,reporting_category,gross,currency,source_id\ntxn,2026-11-29 10:00:00,charge,12.345,gbp,pi", /line 2: amount "12.345"/],
    ["stripe", "balance_transaction_id,created_utc,reporting_category,gross,currency,source_id\ntxn,2026-11-29 10:00:00,payout,40.00,gbp,po", /line 2: gross "40.00" has the wrong sign/],
    ["nuvei", "Transaction ID,Date,Type,Amount,Currency,Client Unique ID\n1,29/11/2026,Sale,1.00,EUR,x", /line 2: date/],
    ["nuvei", "Transaction ID,Date,Type,Amount,Currency,Client Unique ID\n1,2026-11-29 10:00:00,Sale,1.00,XXX,x", /currency "XXX"/],
    ["nuvei", "Transaction ID,Date,Type,Amount,Currency,Client Unique ID\n1,2026-11-29 10:00:00,Refund,1.00,EUR,x", /unknown type/],
    ["trustly", "datestamp;orderid;messageid;amount;currency;type\n2026-11-29 10:00:00;1;m;1.00;EUR", /line 2: 5 fields, the header has 6/],
    ["trustly", "datestamp;orderid;messageid;amount;currency;type\n", /no lines/],
  ] as const)("refuses a bad %s file naming the line", (psp, content, message) => {
    expect(() => parseSettlementFile(psp, content)).toThrow(message);
  });

  it("splits quoted fields with separators and doubled quotes inside", () => {
    expect(splitCsvLine('a,"b,c","d ""e""",', ",")).toEqual(["a", "b,c", 'd "e"', ""]);
  });
});

describe("reconciliation", () => {
  const at = new Date("2026-11-29T12:00:00Z");
  const payment = (ref: string, overrides: Partial<InternalPayment> = {}): InternalPayment => ({ id: `p-${ref}`, direction: "DEPOSIT", status: "SUCCEEDED", pspReference: ref, amountMinor: 1000n, currency: "EUR", settledAt: at, ...overrides });
  const line = (ref: string, n: number, overrides: Partial<Parameters<typeof reconcile>[0][number]> = {}) => ({ lineNumber: n, pspReference: ref, kind: "DEPOSIT" as const, amountMinor: 1000n, currency: "EUR", occurredAt: at, ...overrides });
  const all = () => true;

  it("matches identical records and reports every difference once, expected ours and actual the PSP's", () => {
    const { matched, mismatches } = reconcile(
      [line("a", 2), line("b", 3, { amountMinor: 999n }), line("c", 4, { currency: "GBP" }), line("x", 5), line("d", 6, { kind: "PAYOUT" }), line("e", 7), line("a", 8)],
      [payment("a"), payment("b"), payment("c"), payment("d"), payment("e", { status: "PENDING" }), payment("f"), payment("g", { status: "FAILED" })],
      all,
    );
    expect(matched).toBe(1);
    expect(mismatches.map((m) => [m.kind, m.pspReference, m.lineNumber])).toEqual([
      ["AMOUNT_DIFFERS", "b", 3],
      ["CURRENCY_DIFFERS", "c", 4],
      ["MISSING_INTERNALLY", "x", 5],
      ["DIRECTION_DIFFERS", "d", 6],
      ["NOT_SETTLED_INTERNALLY", "e", 7],
      ["DUPLICATE_LINE", "a", 8],
      ["MISSING_AT_PSP", "f", null],
    ]);
    expect(mismatches[0]).toMatchObject({ paymentId: "p-b", expectedMinor: 1000n, actualMinor: 999n, expectedCurrency: "EUR", actualCurrency: "EUR" });
  });

  it("looks for our settled payments only within the file's period", () => {
    const outside = payment("late", { settledAt: new Date("2026-11-30T00:00:01Z") });
    const { mismatches } = reconcile([line("a", 2)], [payment("a"), outside], (p) => p.settledAt < new Date("2026-11-30T00:00:00Z"));
    expect(mismatches).toEqual([]);
  });
});
