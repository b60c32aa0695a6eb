/**
 * An idempotent database sink for keyed results: each record upserts the row of its key (insert,
 * or update the other columns when the key exists). Rows are sent in batches, and every row
 * buffered before a checkpoint is written (and committed: each batch is one statement) before the
 * checkpoint is acknowledged, so a restore replays only rows after it.
 *
 * Guarantee: at-least-once, and replay-safe: a replayed record writes its key's row again with
 * the value it had, so once the job has caught up the table holds each key's latest result, as a
 * run without failures leaves it. Readers may see a key's older value again while a restore
 * replays. Within one batch only each key's last row is sent (the earlier ones would be
 * overwritten by it anyway). Transient errors are retried with back-off; an upsert is safe to
 * repeat.
 */
import { WeirError } from "../../core/errors.ts";
import type { Sink, SinkWriter } from "../sink.ts";
import type { Row, SqlDialect } from "./sql-dialect.ts";
import { checkWriteOptions, paramsOf, readBackQuery, rowWriter, type SqlWriteOptions } from "./sql-sink-options.ts";
import { RepeatableSession, type SqlServer, type SqlSession } from "./sql-server.ts";
import { rowKey } from "./row-key.ts";
import { readRows } from "./sql-two-phase-commit-sink.ts";
import { SqlSinkMetrics, type SqlWriterCounts } from "./sql-sink-metrics.ts";
import type { ConnectorMetrics } from "../../runtime/metrics.ts";

export interface SqlUpsertSinkOptions<T> extends Omit<SqlWriteOptions<T>, "statement"> {
  readonly table: string;
  readonly columns: readonly string[];
  /** The columns of the table's primary key or a unique index: a row with these values replaces the one there. */
  readonly keyColumns: readonly string[];
  /** A query whose rows are what the sink wrote, for the crash-test kit (default: its columns of its table). */
  readonly readBack?: string;
}

class SqlUpsertWriter<T> implements SinkWriter<T> {
  /** Buffered rows by their key's canonical text (row-key.ts); a key's later row replaces its earlier one. */
  private buffer = new Map<string, Row>();
  private readonly session: RepeatableSession;
  private readonly write_: (session: SqlSession, rows: readonly Row[]) => Promise<void>;
  private readonly keyIndexes: readonly number[];

  constructor(
    server: SqlServer,
    dialect: SqlDialect,
    private readonly options: SqlUpsertSinkOptions<T>,
    private readonly batchSize: number,
    private readonly counts: SqlWriterCounts,
  ) {
    this.write_ = rowWriter(dialect, options, options.keyColumns);
    this.keyIndexes = options.keyColumns.map((k) => options.columns.indexOf(k));
    this.session = new RepeatableSession(server);
  }

  async start(dialect: SqlDialect): Promise<void> {
    const setup = this.options.setup ?? [];
    await this.session.run("setup", (s) => dialect.runSetup(s, setup));
  }

  private pending: Promise<void> = Promise.resolve();
  private failure: unknown;

  write(record: T): void {
    if (this.failure !== undefined) throw this.failure;
    const row = paramsOf(this.options, record);
    this.buffer.set(rowKey(this.keyIndexes.map((i) => row[i])), row);
    if (this.buffer.size >= this.batchSize) this.send();
  }

  private send(): void {
    if (this.buffer.size === 0) return;
    const rows = [...this.buffer.values()];
    this.buffer = new Map();
    this.pending = this.pending.then(() => this.session.run("upserting rows", (s) => this.write_(s, rows)));
    this.pending.then(
      () => void (this.counts.recordsOut += rows.length),
      (e: unknown) => void (this.failure ??= e),
    );
  }

  /** Writes everything before the barrier: the checkpoint then covers it. */
  async snapshotState(): Promise<undefined> {
    await this.drain();
    return undefined;
  }

  async flush(): Promise<void> {
    await this.drain();
  }

  private async drain(): Promise<void> {
    this.send();
    await this.pending;
  }

  metrics(): ConnectorMetrics {
    return { numRecordsOut: this.counts.recordsOut };
  }

  async close(): Promise<void> {
    await this.session.end();
  }
}

export function sqlUpsertSink<T>(sinkName: string, dialect: SqlDialect, options: SqlUpsertSinkOptions<T>): Sink<T> & { readonly metrics: SqlSinkMetrics } {
  const batchSize = checkWriteOptions(sinkName, options as SqlWriteOptions<T>, true);
  const keys = options.keyColumns;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => !options.columns.includes(k))) {
    throw new WeirError("WEIR_ERR_INVALID_ARGUMENT", `${sinkName}: keyColumns must name at least one of the columns (${options.columns.join(", ")})`);
  }
  const metrics = new SqlSinkMetrics();
  const query = readBackQuery(options as SqlWriteOptions<T> & { readBack?: string });
  return {
    metrics,
    ...(query === undefined ? {} : { committed: { guarantee: "at-least-once" as const, read: () => readRows(dialect.server(options), query) } }),
    async createWriter() {
      const writer = new SqlUpsertWriter<T>(dialect.server(options), dialect, options, batchSize, metrics.forInstance());
      await writer.start(dialect);
      return writer;
    },
  };
}
