/**
 * MariaDB/MySQL sinks: exactly-once through XA transactions, and an idempotent upsert sink.
 * See docs/connectors.md.
 */
import type { Sink } from "../sink.ts";
import { sqlTwoPhaseCommitSink, type SqlTwoPhaseCommitSinkOptions } from "../sql/sql-two-phase-commit-sink.ts";
import { sqlUpsertSink, type SqlUpsertSinkOptions } from "../sql/sql-upsert-sink.ts";
import type { SqlSinkMetrics } from "../sql/sql-sink-metrics.ts";
import { mariadbDialect } from "./mariadb-dialect.ts";

/**
 * Exactly-once into MariaDB or MySQL with XA: `XA START 'weir:<job>:<operator>:<subtask>:<n>'`
 * for each checkpoint interval, `XA END` + `XA PREPARE` when the checkpoint is taken, `XA COMMIT`
 * when it completes; `XA RECOVER` on restore. Ids are at most 64 bytes.
 */
export function mariadbXaSink<T>(options: SqlTwoPhaseCommitSinkOptions<T>): Sink<T> & { readonly metrics: SqlSinkMetrics } {
  return sqlTwoPhaseCommitSink("mariadbXaSink", mariadbDialect, options);
}

/** At-least-once, replay-safe: `INSERT … ON DUPLICATE KEY UPDATE`. */
export function mariadbUpsertSink<T>(options: SqlUpsertSinkOptions<T>): Sink<T> & { readonly metrics: SqlSinkMetrics } {
  return sqlUpsertSink("mariadbUpsertSink", mariadbDialect, options);
}
