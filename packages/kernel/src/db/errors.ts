/**
 * True when a Prisma call failed on a unique constraint. Prisma maps it to P2002 on node-postgres,
 * but through the PGlite adapter inside an interactive transaction the raw SQLSTATE 23505 comes
 * through instead; both mean the same thing.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "P2002" || code === "23505";
}

/**
 * True when the server answered a statement with an error (a SQLSTATE, with a severity): its
 * transaction was rolled back and none of it is committed. Anything else (a reset connection, a
 * timeout) leaves the outcome unknown. Group commits use it to tell a batch they may redo item by
 * item from one whose fate they cannot know.
 */
export function isStatementError(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  return typeof e?.severity === "string" && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code);
}
