import { CountsInProcess } from "../../runtime/metrics.ts";

/** What one writer of a database sink counts. */
export interface SqlWriterCounts {
  /** Rows sent to the server, committed or not yet. */
  recordsWritten: number;
  /** Rows committed: visible to readers of the target. */
  recordsOut: number;
}

/** Counts of a database sink's writers in this process (see CountsInProcess). */
export class SqlSinkMetrics extends CountsInProcess<SqlWriterCounts> {
  constructor() {
    super(() => ({ recordsWritten: 0, recordsOut: 0 }));
  }

  /** Rows sent to the server, committed or not yet. */
  get recordsWritten(): number {
    return this.sum("recordsWritten");
  }

  /** Rows committed: visible to readers of the target. */
  get recordsOut(): number {
    return this.sum("recordsOut");
  }
}
