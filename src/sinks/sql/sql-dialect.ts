/**
 * What differs between the SQL servers the sinks write to: how a server is reached, how a
 * statement names its parameters, how rows are inserted in one statement (plain, or as an upsert
 * on key columns), and how a transaction is prepared and later committed by id.
 */
import type { SqlConnectionOptions, SqlServer, SqlSession } from "./sql-server.ts";

export type Row = readonly unknown[];

export interface SqlDialect {
  readonly product: string;
  server(options: SqlConnectionOptions): SqlServer;
  /** The i-th (from 1) parameter of a statement: `$1` or `?`. */
  placeholder(index: number): string;
  /**
   * Inserts `rows` (values of `columns`, in order) into `table` in as few statements as the
   * server takes; with `keys`, a row whose key exists updates the other columns instead.
   */
  insertRows(session: SqlSession, table: string, columns: readonly string[], rows: readonly Row[], keys?: readonly string[]): Promise<void>;
  /** Runs statements such as `CREATE TABLE IF NOT EXISTS`, safely when several subtasks run them at once. */
  runSetup(session: SqlSession, statements: readonly string[]): Promise<void>;
}

/** Two-phase commit by transaction id: PostgreSQL's prepared transactions, MariaDB's XA. */
export interface TwoPhaseDialect extends SqlDialect {
  /** Whether a transaction's id is needed when it begins (XA START) rather than when it is prepared. */
  readonly idAtBegin: boolean;
  /** Whether a session may begin another transaction after preparing one; if not it is closed, which lets go of the prepared one. */
  readonly reuseAfterPrepare: boolean;
  readonly maxIdLength: number;
  /** Refuses a server that cannot prepare transactions (WEIR_ERR_SINK_SERVER_CONFIG). */
  checkServer(session: SqlSession): Promise<void>;
  begin(session: SqlSession, id: string | undefined): Promise<void>;
  prepare(session: SqlSession, id: string): Promise<void>;
  /** False when the server holds no prepared transaction with this id. */
  commitPrepared(session: SqlSession, id: string): Promise<boolean>;
  /** False when the server holds no prepared transaction with this id. */
  rollbackPrepared(session: SqlSession, id: string): Promise<boolean>;
  /** Ids of the prepared transactions (of this database) that start with `prefix`. */
  listPrepared(session: SqlSession, prefix: string): Promise<string[]>;
}

/** Runs `statement` once per row, the row's values as its parameters, in order. */
export async function runPerRow(session: SqlSession, statement: string, rows: readonly Row[]): Promise<void> {
  await Promise.all(rows.map((row) => session.query(statement, row)));
}

/** Runs a statement on a prepared transaction by id: true when it ran, false when `unknown` says the server holds no such id. */
export async function unlessUnknownId(run: () => Promise<unknown>, unknown: (error: unknown) => boolean): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (e) {
    if (unknown(e)) return false;
    throw e;
  }
}
