/**
 * The smallest SQL surface the shared kernel needs (migrator, outbox relay), implemented over
 * PGlite (embedded) and node-postgres (real). Business code talks to Prisma, not to this.
 */
export interface QueryOptions {
  /** Name of a prepared statement for this text (PostgreSQL), e.g. "wallet_balance". */
  name?: string;
}

export interface SqlExecutor {
  readonly dialect: "pglite" | "postgres";
  /**
   * `options.name` makes it a named prepared statement on PostgreSQL: each pooled connection parses
   * and plans it once and then only binds and executes it (less server CPU, fewer bytes per call).
   * A name must always stand for the same text. PGlite ignores it.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<T[]>;
  /** Runs a script of several statements without parameters. */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
