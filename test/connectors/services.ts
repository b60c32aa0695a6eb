/**
 * The servers the connector tests use, on 127.0.0.1 (`npm run services:up` starts them). In
 * `npm test` a test of a server that does not answer is skipped with one line saying how to start
 * it; in the connector lane (`npm run test:connectors`, which sets WEIR_REQUIRE_SERVICES) a
 * missing server fails the test instead.
 */
import type { SqlDialect, TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { connectSession, likePrefix, serverAnswers, type SqlConnectionOptions, type SqlSession } from "../../src/sinks/sql/sql-server.ts";

export interface Service {
  readonly name: string;
  readonly connection: SqlConnectionOptions;
}

export const POSTGRES: Service = { name: "PostgreSQL", connection: { host: "127.0.0.1", port: Number(process.env.WEIR_PG_PORT ?? 5433), user: "postgres", database: "test" } };
export const NATS: Service = { name: "NATS JetStream", connection: { host: "127.0.0.1", port: Number(process.env.WEIR_NATS_PORT ?? 4222) } };
export const MARIADB: Service = { name: "MariaDB", connection: { host: "127.0.0.1", port: Number(process.env.WEIR_MARIADB_PORT ?? 3306), user: "root", database: "test" } };

/**
 * `false` when the service answers; otherwise the reason to skip (in `npm test`), or a thrown
 * error (in the connector lane). For node:test's `skip` option.
 */
export async function skipUnless(service: Service): Promise<string | false> {
  if (await serverAnswers("127.0.0.1", service.connection.port!)) return false;
  const why = `${service.name} is not reachable on 127.0.0.1:${service.connection.port}: start it with 'npm run services:up'`;
  if (process.env.WEIR_REQUIRE_SERVICES === "1") throw new Error(why);
  return why;
}

/** A table name no other test run uses. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
}

/** Runs `run` on a session of its own with the service's server, closed after. */
export async function withSession<R>(service: Service, dialect: SqlDialect, run: (session: SqlSession) => Promise<R>): Promise<R> {
  const session = await connectSession(dialect.server(service.connection));
  try {
    return await run(session);
  } finally {
    await session.end();
  }
}

/**
 * Removes what tests under `prefix` left on the server, also after a failed or killed run: first
 * the prepared transactions (XA branches) whose ids start with `weir:<prefix>` (the sinks' job
 * names start with the prefix), which hold locks that would block DROP TABLE; then their
 * markers; then the tables whose names start with `prefix`. Statements are bounded by the
 * service's statement timeout, so a lock held by someone else fails the cleanup instead of
 * hanging it.
 */
export async function cleanUp(service: Service, dialect: TwoPhaseDialect, prefix: string): Promise<void> {
  const [p1, p2] = [dialect.placeholder(1), dialect.placeholder(2)];
  const schema = p1 === "?" ? service.connection.database : "public";
  const tablesLike = () => `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${p1} AND table_name LIKE ${p2}`;
  await withSession(service, dialect, async (session) => {
    for (const id of await dialect.listPrepared(session, `weir:${prefix}`)) await dialect.rollbackPrepared(session, id);
    if ((await session.query(tablesLike(), [schema, MARKER_TABLE])).length > 0) {
      // By id, as the sink forgets markers: a DELETE by a LIKE range locks the key after the range
      // too (InnoDB's next-key locks), and waits when another job's prepared branch holds that key.
      const ids = (await session.query(`SELECT transaction_id FROM ${MARKER_TABLE} WHERE transaction_id LIKE ${p1}`, [likePrefix(`weir:${prefix}`)])).map((r) => String(r.transaction_id));
      for (const id of ids) await session.query(`DELETE FROM ${MARKER_TABLE} WHERE transaction_id = ${p1}`, [id]);
    }
    for (const row of await session.query(tablesLike(), [schema, likePrefix(prefix)])) await session.query(`DROP TABLE ${String(row.name)}`);
  });
}

/** The sinks' default marker table. */
const MARKER_TABLE = "weir_sink_commits";
