/**
 * What a database sink writes: a statement run once per record, or a table and columns that rows
 * are inserted into in batches; and the function that turns a record into the statement's
 * parameters (or the columns' values, in order). Checked when the sink is made, so that a wrong
 * option refuses the job before any record flows.
 */
import { WeirError } from "../../core/errors.ts";
import type { Row, SqlDialect } from "./sql-dialect.ts";
import { runPerRow } from "./sql-dialect.ts";
import type { SqlConnectionOptions, SqlSession } from "./sql-server.ts";

export interface SqlWriteOptions<T> extends SqlConnectionOptions {
  /** A statement with one parameter per value of `toParams` (`$1`… for PostgreSQL, `?` for MariaDB); run once per record. */
  readonly statement?: string;
  /** The table rows go into (as written: it may name a schema); with `columns`, rows are inserted many per statement. */
  readonly table?: string;
  readonly columns?: readonly string[];
  /** The record's parameters, in the statement's (or the columns') order. Called once, when the record arrives; the sink copies the list. */
  readonly toParams: (record: T) => readonly unknown[];
  /** Records sent to the server together (default 500). */
  readonly batchSize?: number;
  /** Statements run once when a writer starts, before anything else, such as `CREATE TABLE IF NOT EXISTS …`. */
  readonly setup?: readonly string[];
}

const DEFAULT_BATCH_SIZE = 500;

function invalid(sink: string, message: string): never {
  throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${sink}: ${message}`);
}

/** The validated options' batch size; throws WEIR_ERR_INVALID_ARGUMENT for options that cannot work. */
export function checkWriteOptions<T>(sink: string, options: SqlWriteOptions<T>, needsTable = false): number {
  if (typeof options.toParams !== "function") invalid(sink, "toParams must be a function from a record to its parameters");
  const hasTable = options.table !== undefined || options.columns !== undefined;
  if (needsTable && options.statement !== undefined) invalid(sink, "give table, columns and keyColumns; a statement cannot be made an upsert");
  if (options.statement !== undefined && hasTable) invalid(sink, "give either statement or table and columns, not both");
  if (options.statement === undefined) {
    if (typeof options.table !== "string" || options.table.trim() === "") invalid(sink, "give a statement, or a table and its columns");
    if (!Array.isArray(options.columns) || options.columns.length === 0 || options.columns.some((c) => typeof c !== "string" || c.trim() === "")) {
      invalid(sink, `columns must name at least one column of '${options.table}'`);
    }
  } else if (typeof options.statement !== "string" || options.statement.trim() === "") {
    invalid(sink, "statement must be a non-empty SQL statement");
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) invalid(sink, `batchSize must be a positive integer, got ${String(options.batchSize)}`);
  if (options.setup !== undefined && (!Array.isArray(options.setup) || options.setup.some((s) => typeof s !== "string"))) {
    invalid(sink, "setup must be a list of SQL statements");
  }
  return batchSize;
}

/**
 * The record's parameters as a list of the sink's own: rows wait in batches, and a `toParams` that
 * returns a list the job later changes in place (the record itself, say) must not change them.
 */
export function paramsOf<T>(options: Pick<SqlWriteOptions<T>, "toParams">, record: T): Row {
  return Array.from(options.toParams(record));
}

/** Writes rows as the options say: per row through the statement, or many per statement into the table. */
export function rowWriter<T>(dialect: SqlDialect, options: SqlWriteOptions<T>, keys?: readonly string[]): (session: SqlSession, rows: readonly Row[]) => Promise<void> {
  const { statement, table, columns } = options;
  if (statement !== undefined) return (session, rows) => runPerRow(session, statement, rows);
  return (session, rows) => dialect.insertRows(session, table!, columns!, rows, keys);
}

/** The query that reads back what the sink committed: the given one, or its columns of its table. */
export function readBackQuery<T>(options: SqlWriteOptions<T> & { readonly readBack?: string }): string | undefined {
  if (options.readBack !== undefined) return options.readBack;
  return options.table === undefined ? undefined : `SELECT ${options.columns!.join(", ")} FROM ${options.table}`;
}
