/**
 * True when a Prisma call failed on a unique constraint. Prisma maps it to P2002 on node-postgres,
 * but through the PGlite adapter inside an interactive transaction the raw SQLSTATE 23505 comes
 * through instead; both mean the same thing.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "P2002" || code === "23505";
}
