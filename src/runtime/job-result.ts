/** What a finished job reports: its duration, record counts per operator, and collected records. */
import { invalidArgument } from "../core/errors.ts";
import type { OperatorMetrics } from "./metrics.ts";

export class JobResult {
  constructor(
    /** From the moment every task was open until the last task finished. */
    readonly durationMs: number,
    readonly operators: readonly OperatorMetrics[],
    private readonly collectedBySink: ReadonlyMap<string, unknown[]>,
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
