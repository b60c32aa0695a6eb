/** What a finished job reports: its duration, record counts per operator, and collected records. */
import { invalidArgument } from "../core/errors.ts";
import type { OperatorMetrics } from "./metrics.ts";
import type { CheckpointStatsSnapshot } from "../checkpoint/coordinator/stats.ts";

export interface JobRunInfo {
  readonly jobId: string;
  /** How often the job restarted after a failure. */
  readonly restarts: number;
  /** Checkpoint statistics, when the job took checkpoints. */
  readonly checkpoints: CheckpointStatsSnapshot | undefined;
}

export class JobResult {
  constructor(
    /** From the moment the first attempt's tasks were all open until the last task finished, restarts included. */
    readonly durationMs: number,
    readonly operators: readonly OperatorMetrics[],
    private readonly collectedBySink: ReadonlyMap<string, unknown[]>,
    readonly info: JobRunInfo,
  ) {}

  /** The records a collecting sink received, by the id given to `collect(id)`. */
  collected<T>(id: string): T[] {
    const records = this.collectedBySink.get(id);
    if (records === undefined) {
      const known = [...this.collectedBySink.keys()].map((k) => `'${k}'`).join(", ") || "none";
      throw invalidArgument(`no collecting sink '${id}' produced records in this job (sinks with records: ${known})`);
    }
    return records as T[];
  }
}

/** Accumulates what collecting sinks send back, in arrival order. */
export class CollectedRecords {
  readonly bySink = new Map<string, unknown[]>();

  add(sinkId: string, records: readonly unknown[]): void {
    let list = this.bySink.get(sinkId);
    if (list === undefined) this.bySink.set(sinkId, (list = []));
    for (const r of records) list.push(r);
  }
}
