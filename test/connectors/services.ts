/**
 * The servers the connector tests use, on 127.0.0.1 (`npm run services:up` starts them). In
 * `npm test` a test of a server that does not answer is skipped with one line saying how to start
 * it; in the connector lane (`npm run test:connectors`, which sets WEIR_REQUIRE_SERVICES) a
 * missing server fails the test instead.
 */
import type { SqlDialect } from "../../src/sinks/sql/sql-dialect.ts";
import { connectSession, serverAnswers, type SqlConnectionOptions, type SqlSession } from "../../src/sinks/sql/sql-server.ts";

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
