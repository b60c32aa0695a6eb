/**
 * Counts of a database sink's writers in this process (with the single-thread runtime, or in a
 * `weir run` process: worker threads count in their own copies).
 */
export class SqlSinkMetrics {
  /** Rows sent to the server, committed or not yet. */
  recordsWritten = 0;
  /** Rows committed: visible to readers of the target. */
  recordsOut = 0;
}
