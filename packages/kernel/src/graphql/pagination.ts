import { badInput } from "@casino/kernel/errors";
import { isUuid } from "../ids.ts";

/** Keyset pagination, newest first: (createdAt DESC, id DESC). The id breaks ties between rows of one millisecond. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): KeysetPosition {
  const [iso, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || !isUuid(id) || Number.isNaN(createdAt.getTime())) throw badInput("Invalid cursor", "after");
  return { createdAt, id };
}

export const MAX_PAGE_SIZE = 100;

export function pageSize(first: number | null | undefined): number {
  const take = first ?? 20;
  if (take < 1 || take > MAX_PAGE_SIZE) throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, "first");
  return take;
}

/** The Prisma `where` for rows after `position` in (createdAt DESC, id DESC) order. */
export function olderThan(position: KeysetPosition) {
  return {
    OR: [{ createdAt: { lt: position.createdAt } }, { createdAt: position.createdAt, id: { lt: position.id } }],
  };
}

export const NEWEST_FIRST = [{ createdAt: "desc" as const }, { id: "desc" as const }];

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** `rows` were fetched with `take + 1`: the extra row only tells that another page exists. */
export function toConnection<T extends KeysetPosition>(rows: readonly T[], take: number): Connection<T> {
  const edges = rows.slice(0, take).map((node) => ({ cursor: encodeCursor(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > take, endCursor: edges.at(-1)?.cursor ?? null } };
}
