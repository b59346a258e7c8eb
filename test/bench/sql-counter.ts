/**
 * Preload (`node --import tsx --import ./test/bench/sql-counter.ts ...`) for cost measurements: counts
 * the statements a process sends to PostgreSQL through node-postgres (the kernel's pool and Prisma's
 * adapter both go through pg.Client#query), by the statement's opening words. The parent reads the
 * counts over IPC: send "sql-counter:read", receive { sqlCounts: { <statement>: <count> } }.
 */
import pg from "pg";

const counts = new Map<string, number>();

/** The statement's first words, whitespace collapsed: enough to tell statements apart in a report. */
function labelOf(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 90);
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const original = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0];
  const text = typeof first === "string" ? first : (first as { text?: unknown } | null)?.text;
  if (typeof text === "string") {
    const label = labelOf(text);
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return original.apply(this, args);
};

process.on("message", (message) => {
  if (message === "sql-counter:read") process.send?.({ sqlCounts: Object.fromEntries(counts) });
});
