/**
 * Record counts per operator, reported by tasks and summed over subtasks for progress output,
 * the job's result and the control API; with the counts of the connectors they run.
 */

/**
 * What a source or sink counts of the system it reads or writes, under Flink's connector metric
 * names (FLIP-33). Each counter covers one subtask; over subtasks they add up, but for
 * `records-lag-max`, which is the largest.
 */
export interface ConnectorMetrics {
  /** Sources: records read from the external system and emitted. */
  readonly numRecordsIn?: number;
  /** Sinks: records the external system acknowledged (at-least-once) or committed (exactly-once). */
  readonly numRecordsOut?: number;
  /**
   * Sources: records in the external system after the reader's position, not read yet (the
   * consumer lag), over the subtask's splits, as of the reader's latest fetch.
   */
  readonly pendingRecords?: number;
  /** Kafka source: the largest lag of one partition. */
  readonly "records-lag-max"?: number;
}

export interface OperatorMetrics {
  readonly nodeId: number;
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** Set for a source or sink whose reader or writer reports connector metrics. */
  readonly connector?: ConnectorMetrics;
}

export interface TaskMetrics {
  readonly vertex: number;
  readonly subtask: number;
  readonly operators: readonly OperatorMetrics[];
}

/** Sums per operator over all subtasks, in node order. */
export function sumByOperator(tasks: Iterable<TaskMetrics>): OperatorMetrics[] {
  const byNode = new Map<number, { nodeId: number; name: string; recordsIn: number; recordsOut: number; connector?: ConnectorMetrics }>();
  for (const task of tasks) {
    for (const op of task.operators) {
      const sum = byNode.get(op.nodeId);
      if (sum === undefined) byNode.set(op.nodeId, { ...op });
      else {
        sum.recordsIn += op.recordsIn;
        sum.recordsOut += op.recordsOut;
        if (op.connector !== undefined) sum.connector = sum.connector === undefined ? op.connector : combineConnectorMetrics(sum.connector, op.connector);
      }
    }
  }
  return [...byNode.values()].sort((a, b) => a.nodeId - b.nodeId);
}

/** Two subtasks' connector metrics as one: counts added, `records-lag-max` the larger. */
export function combineConnectorMetrics(a: ConnectorMetrics, b: ConnectorMetrics): ConnectorMetrics {
  const out: { -readonly [K in keyof ConnectorMetrics]: number } = {};
  for (const name of ["numRecordsIn", "numRecordsOut", "pendingRecords"] as const) {
    if (a[name] !== undefined || b[name] !== undefined) out[name] = (a[name] ?? 0) + (b[name] ?? 0);
  }
  if (a["records-lag-max"] !== undefined || b["records-lag-max"] !== undefined) out["records-lag-max"] = Math.max(a["records-lag-max"] ?? 0, b["records-lag-max"] ?? 0);
  return out;
}

/**
 * A connector's counts in this process, as its `metrics` object shows them: each reader or writer
 * counts in its own set (`forInstance`), which it also reports as its connector metrics, and the
 * object sums the sets of every reader or writer created in this process (with the single-thread
 * runtime, or in a `weir run` process: worker threads count in their own copies).
 */
export class CountsInProcess<C extends { [K in keyof C]: number }> {
  private readonly sets: C[] = [];

  constructor(private readonly fresh: () => C) {}

  /** A new set of counts, all zero, included in the sums from now on. */
  forInstance(): C {
    const counts = this.fresh();
    this.sets.push(counts);
    return counts;
  }

  protected sum(name: keyof C): number {
    let total = 0;
    for (const counts of this.sets) total += counts[name];
    return total;
  }
}
