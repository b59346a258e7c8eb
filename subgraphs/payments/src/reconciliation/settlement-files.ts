import { isSupportedCurrency } from "@casino/kernel/money";
import { decimalToMinor } from "../psp/amounts.ts";
import type { PaymentKind, PspName } from "../psp/types.ts";

/** One settled movement as a PSP's settlement file states it, in the platform's terms. */
export interface SettlementLine {
  lineNumber: number;
  pspReference: string;
  kind: PaymentKind;
  /** Exact minor units, always positive; `kind` gives the direction. */
  amountMinor: bigint;
  currency: string;
  occurredAt: Date;
}

export class SettlementFileError extends Error {
  constructor(
    readonly lineNumber: number,
    message: string,
  ) {
    super(`line ${lineNumber}: ${message}`);
    this.name = "SettlementFileError";
  }
}

/** RFC 4180 fields of one line (quotes, doubled quotes inside quotes) with the file's separator. */
export function splitCsvLine(line: string, separator: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === separator) {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

interface FileFormat {
  separator: string;
  header: readonly string[];
  /** The line's fields by header name, into a line (or an error message). */
  read(f: Readonly<Record<string, string>>): Omit<SettlementLine, "lineNumber"> | string;
}

const utc = (text: string): Date | undefined => {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  return Number.isNaN(d.getTime()) ? undefined : d;
};

function line(pspReference: string, kind: PaymentKind | undefined, amount: string, currency: string, occurredAt: string): Omit<SettlementLine, "lineNumber"> | string {
  if (!pspReference) return "no PSP reference";
  if (!kind) return "unknown type";
  if (!isSupportedCurrency(currency)) return `currency "${currency}" is not supported`;
  const amountMinor = decimalToMinor(amount, currency);
  if (amountMinor === undefined || amountMinor === 0n) return `amount "${amount}" is not a positive amount in ${currency}`;
  const at = utc(occurredAt);
  if (!at) return `date "${occurredAt}" is not yyyy-mm-dd hh:mm:ss (UTC)`;
  return { pspReference, kind, amountMinor, currency, occurredAt: at };
}

/**
 * One format per PSP, modelled on each one's own reports: Stripe's itemized balance report
 * (signed decimal gross, lower-case currency), Nuvei's transaction report, Trustly's
 * semicolon-separated settlement report.
 */
export const SETTLEMENT_FORMATS: Readonly<Record<PspName, FileFormat>> = {
  stripe: {
    separator: ",",
    header: ["balance_transaction_id", "created_utc", "reporting_category", "gross", "currency", "source_id"],
    read: (f) => {
      const kind = ({ charge: "DEPOSIT", payout: "PAYOUT" } as const)[f.reporting_category as "charge" | "payout"];
      const gross = f.gross!;
      const expectedSign = kind === "PAYOUT" ? "-" : "";
      if (kind && gross.startsWith("-") !== (expectedSign === "-")) return `gross "${gross}" has the wrong sign for ${f.reporting_category}`;
      return line(f.source_id!, kind, gross.replace(/^-/, ""), f.currency!.toUpperCase(), f.created_utc!);
    },
  },
  nuvei: {
    separator: ",",
    header: ["Transaction ID", "Date", "Type", "Amount", "Currency", "Client Unique ID"],
    read: (f) => line(f["Transaction ID"]!, ({ Sale: "DEPOSIT", Payout: "PAYOUT" } as const)[f.Type as "Sale" | "Payout"], f.Amount!, f.Currency!, f.Date!),
  },
  trustly: {
    separator: ";",
    header: ["datestamp", "orderid", "messageid", "amount", "currency", "type"],
    read: (f) => line(f.orderid!, ({ deposit: "DEPOSIT", withdrawal: "PAYOUT" } as const)[f.type as "deposit" | "withdrawal"], f.amount!, f.currency!, f.datestamp!),
  },
};

/** Parses a whole file or refuses it naming the first bad line: a file is imported whole or not at all. */
export function parseSettlementFile(psp: PspName, content: string): SettlementLine[] {
  const format = SETTLEMENT_FORMATS[psp];
  const rows = content.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = splitCsvLine(rows[0] ?? "", format.separator).map((h) => h.trim());
  const missing = format.header.filter((h) => !header.includes(h));
  if (missing.length > 0) throw new SettlementFileError(1, `the header lacks ${missing.join(", ")} (expected ${format.header.join(format.separator)})`);
  const lines: SettlementLine[] = [];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.trim() === "") continue;
    const values = splitCsvLine(rows[i]!, format.separator);
    if (values.length !== header.length) throw new SettlementFileError(i + 1, `${values.length} fields, the header has ${header.length}`);
    const fields = Object.fromEntries(header.map((h, j) => [h, values[j]!.trim()]));
    const read = format.read(fields);
    if (typeof read === "string") throw new SettlementFileError(i + 1, read);
    lines.push({ lineNumber: i + 1, ...read });
  }
  if (lines.length === 0) throw new SettlementFileError(1, "the file has no lines");
  return lines;
}
