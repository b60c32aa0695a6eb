import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { postgresTwoPhaseCommitSink } from "../../src/sinks/postgres/postgres-sinks.ts";
import { mariadbXaSink } from "../../src/sinks/mariadb/mariadb-sinks.ts";
import { postgresDialect } from "../../src/sinks/postgres/postgres-dialect.ts";
import { mariadbDialect } from "../../src/sinks/mariadb/mariadb-dialect.ts";
import type { TwoPhaseDialect } from "../../src/sinks/sql/sql-dialect.ts";
import type { SqlTwoPhaseCommitSinkOptions } from "../../src/sinks/sql/sql-two-phase-commit-sink.ts";
import type { Sink } from "../../src/sinks/sink.ts";
import { sinkOperator } from "../sinks/sink-context.ts";
import { cleanUp, MARIADB, POSTGRES, skipUnless, uniqueTable, withSession, type Service } from "./services.ts";

function cleanUpBehaviour(server: Service, dialect: TwoPhaseDialect, makeSink: (options: SqlTwoPhaseCommitSinkOptions<number>) => Sink<number>): void {
  it("rolls back what a failed run left prepared under its prefix and drops its tables, which DROP TABLE alone would wait for", { timeout: 90_000 }, async () => {
    // Every statement bounded well inside the test's time, so that the cleanup at the end runs
    // even when a statement waits for a lock: a prepared branch left behind holds its locks and
    // makes later tests wait.
    const service: Service = { ...server, connection: { ...server.connection, statementTimeoutMs: 5000 } };
    // The other job's name sorts right after this prefix's names, so that its marker row is the
    // key after this prefix's range in the marker table's index.
    const prefix = `${uniqueTable("wcl").slice(0, 23)}a`;
    const table = `${prefix}_t`;
    const other = `${prefix.slice(0, -1)}b`;
    const schema = dialect.placeholder(1) === "?" ? service.connection.database : "public";
    let failure: { error: unknown } | undefined;
    try {
      await withSession(service, dialect, (s) => s.query(`CREATE TABLE ${table} (v INTEGER NOT NULL)`));
      await withSession(service, dialect, (s) => s.query(`CREATE TABLE ${other} (v INTEGER NOT NULL)`));
      // Two runs die after their checkpoint's prepare: one under the prefix, one of another job.
      for (const [jobName, into] of [[table, table], [other, other]]) {
        const op = await sinkOperator(makeSink({ ...service.connection, jobName, table: into, columns: ["v"], toParams: (v) => [v] }));
        op.processElement(1);
        await op.snapshotState(1);
        await op.close();
      }
      await cleanUp(service, dialect, prefix);
      const left = await withSession(service, dialect, async (s) => ({
        prepared: await dialect.listPrepared(s, "weir:"),
        // Only this test's two tables: listing others could wait on locks that other tests hold.
        tables: (await s.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${dialect.placeholder(1)} AND table_name IN (${dialect.placeholder(2)}, ${dialect.placeholder(3)})`, [schema, table, other])).map((r) => String(r.name)),
      }));
      assert.deepEqual(left.prepared.filter((id) => id.startsWith(`weir:${prefix}`)), []);
      assert.deepEqual(left.tables, [other], `${table} is still there`);
      // What belongs to another prefix is left alone.
      assert.equal(left.prepared.filter((id) => id.startsWith(`weir:${other}:`)).length, 1);
    } catch (error) {
      failure = { error };
    }
    // Each prefix cleaned up on its own: a statement of one that waits past the timeout must not
    // leave the other's prepared branch holding its locks for later tests.
    const cleanups = await Promise.allSettled([other, prefix].map((p) => cleanUp(service, dialect, p)));
    if (failure !== undefined) throw failure.error;
    for (const cleanup of cleanups) if (cleanup.status === "rejected") throw cleanup.reason;
  });
}

describe("cleaning up after a connector campaign, PostgreSQL", { skip: await skipUnless(POSTGRES) }, () => {
  cleanUpBehaviour(POSTGRES, postgresDialect, postgresTwoPhaseCommitSink);
});

describe("cleaning up after a connector campaign, MariaDB", { skip: await skipUnless(MARIADB) }, () => {
  cleanUpBehaviour(MARIADB, mariadbDialect, mariadbXaSink);
});
