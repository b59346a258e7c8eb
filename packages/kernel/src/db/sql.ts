/**
 * The smallest SQL surface the shared kernel needs (migrator, outbox relay), implemented over
 * PGlite (embedded) and node-postgres (real). Business code talks to Prisma, not to this.
 */
export interface SqlExecutor {
  readonly dialect: "pglite" | "postgres";
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
