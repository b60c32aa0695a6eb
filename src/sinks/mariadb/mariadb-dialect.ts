/**
 * MariaDB (and MySQL) for the database sinks, through the `mysql2` client: `?` parameters,
 * multi-row INSERT (… ON DUPLICATE KEY UPDATE for upserts), and XA transactions
 * (XA START / END / PREPARE / COMMIT / ROLLBACK, listed by XA RECOVER).
 *
 * One XA transaction per connection: a connection that prepared a branch can run no other XA
 * statement until that branch is committed or rolled back, and while it stays connected no other
 * connection can commit it. Closing the connection lets go of the prepared branch, which the
 * server keeps (across restarts too) for any connection to commit. So the sink opens one
 * connection per transaction, closes it right after XA PREPARE, and commits from its one control
 * connection: two connections per subtask at a time, plus one briefly while a checkpoint's
 * transaction is prepared.
 */
import { loadMysqlClient } from "../../core/client-libraries.ts";
import { unlessUnknownId, type Row, type TwoPhaseDialect } from "../sql/sql-dialect.ts";
import { isNetworkError, openSession, retryPolicyOf, sqlLiteral, timeoutsOf, type SqlConnection, type SqlConnectionOptions, type SqlRow, type SqlServer, type SqlSession } from "../sql/sql-server.ts";

/** Deadlock, lock wait timeout, too many connections, server gone or lost, and the client's lost-connection codes. */
const TRANSIENT_ERRNOS = new Set([1213, 1205, 1040, 2002, 2003, 2006, 2013]);
const TRANSIENT_CODES = new Set(["XA_BRANCH_ATTACHED", "PROTOCOL_CONNECTION_LOST", "ER_CON_COUNT_ERROR", "ER_LOCK_DEADLOCK", "ER_LOCK_WAIT_TIMEOUT", "PROTOCOL_SEQUENCE_TIMEOUT"]);

function transient(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  const e = error as { errno?: unknown; code?: unknown } | null;
  return (typeof e?.errno === "number" && TRANSIENT_ERRNOS.has(e.errno)) || (typeof e?.code === "string" && TRANSIENT_CODES.has(e.code));
}

/** XAER_NOTA: no XA transaction with that id. */
const UNKNOWN_XID = 1397;

function server(options: SqlConnectionOptions): SqlServer {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 3306;
  const database = options.database ?? "test";
  const timeouts = timeoutsOf(options);
  // Lock waits (row locks, and metadata locks such as a DROP TABLE waiting for a prepared branch) end with error 1205.
  const lockSeconds = Math.max(1, Math.ceil(timeouts.statementMs / 1000));
  return {
    product: "MariaDB",
    address: `${host}:${port}/${database}`,
    retry: retryPolicyOf(options),
    transient,
    async open(): Promise<SqlSession> {
      const mysql = await loadMysqlClient();
      const raw = mysql.createConnection({
        host,
        port,
        database,
        user: options.user ?? "root",
        password: options.password,
        // openSession bounds connecting, login and session settings together; the client's own bound only backs it up.
        connectTimeout: timeouts.connectMs * 2,
        supportBigNumbers: true,
      });
      const client = raw.promise();
      const listeners: ((cause: unknown) => void)[] = [];
      // A connection lost while idle is reported here; without a listener it would crash the process.
      raw.on("error", (e) => listeners.forEach((l) => l(e)));
      raw.on("end", () => listeners.forEach((l) => l(undefined)));
      const connection: SqlConnection = {
        async query(sql, params) {
          const [rows] = await client.query(sql, params as unknown[] | undefined);
          return Array.isArray(rows) ? (rows as SqlRow[]) : [];
        },
        end: () => client.end(),
        destroy: () => raw.destroy(),
        onLost: (listener) => void listeners.push(listener),
      };
      const ready = new Promise<void>((resolve, reject) => {
        raw.once("connect", () => resolve());
        raw.once("error", reject);
      })
        .then(() => connection.query(`SET SESSION lock_wait_timeout = ${lockSeconds}, innodb_lock_wait_timeout = ${lockSeconds}`))
        .then(() => {});
      return openSession(connection, ready, timeouts);
    },
  };
}

async function insertRows(session: SqlSession, table: string, columns: readonly string[], rows: readonly Row[], keys?: readonly string[]): Promise<void> {
  let conflict = "";
  if (keys !== undefined) {
    const others = columns.filter((c) => !keys.includes(c));
    // Without other columns a duplicate key changes nothing: set a key column to itself.
    conflict = ` ON DUPLICATE KEY UPDATE ${(others.length === 0 ? [keys[0]!] : others).map((c) => `${c} = VALUES(${c})`).join(", ")}`;
  }
  // mysql2 expands a list of lists into (…), (…) with each value escaped.
  await session.query(`INSERT INTO ${table} (${columns.join(", ")}) VALUES ?${conflict}`, [rows]);
}

/**
 * A branch prepared by a connection that is still closing is listed by XA RECOVER but unknown to
 * XA COMMIT / XA ROLLBACK from other connections until the server has processed the disconnect:
 * that is transient, and the caller's retry sees the branch detached.
 */
class StillAttached extends Error {
  readonly code = "XA_BRANCH_ATTACHED";
}

async function byId(session: SqlSession, statement: "XA COMMIT" | "XA ROLLBACK", id: string): Promise<boolean> {
  const ran = await unlessUnknownId(() => session.query(`${statement} ${sqlLiteral(id)}`), (e) => (e as { errno?: unknown }).errno === UNKNOWN_XID);
  if (!ran && (await recovered(session)).includes(id)) {
    throw new StillAttached(`${statement} ${id}: the branch is still attached to a connection that prepared it`);
  }
  return ran;
}

/** The ids of the prepared branches (gtrid, then bqual, which the sink leaves empty). */
async function recovered(session: SqlSession): Promise<string[]> {
  const rows = await session.query("XA RECOVER");
  return rows.map((r) => {
    const data = r.data as Buffer | string;
    return (typeof data === "string" ? data : data.toString("utf8")).slice(0, Number(r.gtrid_length));
  });
}

export const mariadbDialect: TwoPhaseDialect = {
  product: "MariaDB",
  server,
  placeholder: () => "?",
  insertRows,
  async runSetup(session, statements) {
    for (const statement of statements) await session.query(statement);
  },
  idAtBegin: true,
  reuseAfterPrepare: false,
  // An XA transaction id (gtrid) has at most 64 bytes.
  maxIdLength: 64,
  async checkServer(session) {
    // XA RECOVER needs its privilege (XA_RECOVER_ADMIN on MariaDB 10.5+): fail here rather than at the first restore.
    await session.query("XA RECOVER");
  },
  async begin(session, id) {
    await session.query(`XA START ${sqlLiteral(id!)}`);
  },
  async prepare(session, id) {
    await session.query(`XA END ${sqlLiteral(id)}`);
    await session.query(`XA PREPARE ${sqlLiteral(id)}`);
  },
  commitPrepared: (session, id) => byId(session, "XA COMMIT", id),
  rollbackPrepared: (session, id) => byId(session, "XA ROLLBACK", id),
  listPrepared: async (session, prefix) => (await recovered(session)).filter((id) => id.startsWith(prefix)),
};
