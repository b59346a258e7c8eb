/**
 * JSON for cached lobby values, which hold Prisma rows: BIGINT stakes arrive as `bigint` (plain JSON
 * refuses them) and timestamps as `Date` (plain JSON turns them into strings for good). Both are
 * written as one-key tagged objects and read back as what they were.
 */

interface TaggedBigInt {
  $bigint: string;
}
interface TaggedDate {
  $date: string;
}

export function encodeCacheValue(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    // `converted` has been through toJSON already (a Date is a string by then); the holder still has the original.
    const original = this[key];
    if (typeof original === "bigint") return { $bigint: original.toString() } satisfies TaggedBigInt;
    if (original instanceof Date) return { $date: original.toISOString() } satisfies TaggedDate;
    return converted;
  });
}

export function decodeCacheValue<T>(text: string): T {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
    const keys = Object.keys(value);
    if (keys.length !== 1) return value;
    if (keys[0] === "$bigint") return BigInt((value as TaggedBigInt).$bigint);
    if (keys[0] === "$date") return new Date((value as TaggedDate).$date);
    return value;
  }) as T;
}
