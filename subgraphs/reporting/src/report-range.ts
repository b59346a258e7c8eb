import { badInput } from "@casino/kernel/errors";

/** Longest range one request may ask for: a leap year of days. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;

/** A calendar date yyyy-mm-dd as UTC midnight; bad input on `field` otherwise. */
export function parseReportDate(raw: string, field: string): Date {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== raw) {
    throw badInput(`${field} must be a date like 2026-11-24`, field);
  }
  return date;
}

/** An inclusive range of UTC dates, from <= to, at most MAX_RANGE_DAYS days long. */
export function parseReportRange(from: string, to: string): { from: Date; to: Date } {
  const start = parseReportDate(from, "from");
  const end = parseReportDate(to, "to");
  if (start > end) throw badInput("from must not be after to", "from");
  const days = (end.getTime() - start.getTime()) / DAY_MS + 1;
  if (days > MAX_RANGE_DAYS) throw badInput(`The range may cover at most ${MAX_RANGE_DAYS} days; it covers ${days}`, "to");
  return { from: start, to: end };
}
