/**
 * PostgreSQL sinks: exactly-once through prepared transactions, and an idempotent upsert sink.
 * See docs/connectors.md.
 */
import type { Sink } from "../sink.ts";
import { sqlTwoPhaseCommitSink, type SqlTwoPhaseCommitSinkOptions } from "../sql/sql-two-phase-commit-sink.ts";
import { sqlUpsertSink, type SqlUpsertSinkOptions } from "../sql/sql-upsert-sink.ts";
import type { SqlSinkMetrics } from "../sql/sql-sink-metrics.ts";
import { postgresDialect } from "./postgres-dialect.ts";

/**
 * Exactly-once into PostgreSQL: `PREPARE TRANSACTION 'weir:<job>:<operator>:<subtask>:<checkpoint>'`
 * when a checkpoint is taken, `COMMIT PREPARED` when it completes. The server needs
 * max_prepared_transactions > 0 (checked at start: WEIR_ERR_SINK_SERVER_CONFIG).
 */
export function postgresTwoPhaseCommitSink<T>(options: SqlTwoPhaseCommitSinkOptions<T>): Sink<T> & { readonly metrics: SqlSinkMetrics } {
  return sqlTwoPhaseCommitSink("postgresTwoPhaseCommitSink", postgresDialect, options);
}

/** At-least-once, replay-safe: `INSERT … ON CONFLICT (keyColumns) DO UPDATE`. */
export function postgresUpsertSink<T>(options: SqlUpsertSinkOptions<T>): Sink<T> & { readonly metrics: SqlSinkMetrics } {
  return sqlUpsertSink("postgresUpsertSink", postgresDialect, options);
}
