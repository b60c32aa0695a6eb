/**
 * PostgreSQL for the database sinks, through the `pg` client: `$n` parameters, multi-row
 * INSERT (… ON CONFLICT … DO UPDATE for upserts), and prepared transactions
 * (PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED, listed in pg_prepared_xacts), which
 * need the server's max_prepared_transactions above 0.
 */
import { loadPostgresClient } from "../../core/client-libraries.ts";
import { WeirError } from "../../core/errors.ts";
import { unlessUnknownId, type Row, type TwoPhaseDialect } from "../sql/sql-dialect.ts";
import { isNetworkError, likePrefix, openSession, retryPolicyOf, sqlLiteral, timeoutsOf, type SqlConnection, type SqlConnectionOptions, type SqlRow, type SqlServer, type SqlSession } from "../sql/sql-server.ts";

/** The server's protocol takes at most 65535 parameters in one statement. */
const MAX_PARAMETERS = 65535;

/**
 * SQL states worth repeating: connection exceptions (class 08), serialization failure, deadlock,
 * lock and statement timeouts, shutdown, too many connections; and a prepared transaction that
 * another session is still committing or rolling back (55000 "… is busy").
 */
function transient(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && (code.startsWith("08") || ["40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53300"].includes(code))) return true;
  if (code === "55000" && error instanceof Error && /is busy/.test(error.message)) return true;
  // The client's own words for a connection that went away.
  return error instanceof Error && /Connection terminated|connection timeout|timeout expired|not queryable/i.test(error.message);
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function server(options: SqlConnectionOptions): SqlServer {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 5432;
  const database = options.database ?? "postgres";
  const timeouts = timeoutsOf(options);
  return {
    product: "PostgreSQL",
    address: `${host}:${port}/${database}`,
    retry: retryPolicyOf(options),
    transient,
    async open(): Promise<SqlSession> {
      const pg = await loadPostgresClient();
      const client = new pg.Client({
        host,
        port,
        database,
        user: options.user ?? "postgres",
        password: options.password,
        application_name: "weir",
        // The server cancels a statement, or a wait for a lock, that takes longer (57014, 55P03).
        statement_timeout: timeouts.statementMs,
        lock_timeout: timeouts.statementMs,
      });
      const listeners: ((cause: unknown) => void)[] = [];
      // A connection lost while idle is reported here; without a listener it would crash the process.
      client.on("error", (e) => listeners.forEach((l) => l(e)));
      client.on("end", () => listeners.forEach((l) => l(undefined)));
      const connection: SqlConnection = {
        query: async (sql, params) => (await client.query(sql, params as unknown[] | undefined)).rows as SqlRow[],
        end: () => client.end(),
        destroy: () => (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy(),
        onLost: (listener) => void listeners.push(listener),
      };
      return openSession(connection, client.connect().then(() => {}), timeouts);
    },
  };
}

function placeholder(index: number): string {
  return `$${index}`;
}

async function insertRows(session: SqlSession, table: string, columns: readonly string[], rows: readonly Row[], keys?: readonly string[]): Promise<void> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  let conflict = "";
  if (keys !== undefined) {
    const others = columns.filter((c) => !keys.includes(c));
    conflict = ` ON CONFLICT (${keys.join(", ")}) ` + (others.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${others.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}`);
  }
  for (let from = 0; from < rows.length; from += perStatement) {
    const chunk = rows.slice(from, from + perStatement);
    const values: string[] = [];
    const params: unknown[] = [];
    for (const row of chunk) {
      values.push(`(${columns.map((_, i) => `$${params.length + i + 1}`).join(", ")})`);
      params.push(...row);
    }
    await session.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ${values.join(", ")}${conflict}`, params);
  }
}

/** Concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's catalog: a session-level advisory lock orders them. */
const SETUP_LOCK = 0x5745_4952;

async function runSetup(session: SqlSession, statements: readonly string[]): Promise<void> {
  await session.query(`SELECT pg_advisory_lock(${SETUP_LOCK})`);
  try {
    for (const statement of statements) await session.query(statement);
  } finally {
    await session.query(`SELECT pg_advisory_unlock(${SETUP_LOCK})`);
  }
}

/** 42704: no prepared transaction with that id. */
const unlessUnknown = (run: () => Promise<unknown>) => unlessUnknownId(run, (e) => codeOf(e) === "42704");

export const postgresDialect: TwoPhaseDialect = {
  product: "PostgreSQL",
  server,
  placeholder,
  insertRows,
  runSetup,
  idAtBegin: false,
  reuseAfterPrepare: true,
  // A prepared transaction's gid is shorter than 200 bytes.
  maxIdLength: 199,
  async checkServer(session) {
    const rows = await session.query("SHOW max_prepared_transactions");
    const max = Number(rows[0]?.max_prepared_transactions);
    if (!(max > 0)) {
      throw new WeirError(
        "WEIR_ERR_SINK_SERVER_CONFIG",
        `PostgreSQL's max_prepared_transactions is ${String(rows[0]?.max_prepared_transactions)}: the two-phase-commit sink prepares a transaction per subtask and checkpoint, ` +
          "so it needs a value above 0 (set max_prepared_transactions = 20 in postgresql.conf, or ALTER SYSTEM SET max_prepared_transactions = 20, and restart the server)",
      );
    }
  },
  async begin(session) {
    await session.query("BEGIN");
  },
  async prepare(session, id) {
    await session.query(`PREPARE TRANSACTION ${sqlLiteral(id)}`);
  },
  commitPrepared: (session, id) => unlessUnknown(() => session.query(`COMMIT PREPARED ${sqlLiteral(id)}`)),
  rollbackPrepared: (session, id) => unlessUnknown(() => session.query(`ROLLBACK PREPARED ${sqlLiteral(id)}`)),
  async listPrepared(session, prefix) {
    const rows = await session.query("SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND gid LIKE $1", [likePrefix(prefix)]);
    return rows.map((r) => String(r.gid));
  },
};
