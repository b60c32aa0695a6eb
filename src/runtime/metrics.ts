/** Record counts per operator, reported by tasks and summed over subtasks for progress output. */

export interface OperatorMetrics {
  readonly nodeId: number;
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

export interface TaskMetrics {
  readonly vertex: number;
  readonly subtask: number;
  readonly operators: readonly OperatorMetrics[];
}

/** Sums per operator over all subtasks, in node order. */
export function sumByOperator(tasks: Iterable<TaskMetrics>): OperatorMetrics[] {
  const byNode = new Map<number, { nodeId: number; name: string; recordsIn: number; recordsOut: number }>();
  for (const task of tasks) {
    for (const op of task.operators) {
      const sum = byNode.get(op.nodeId);
      if (sum === undefined) byNode.set(op.nodeId, { ...op });
      else {
        sum.recordsIn += op.recordsIn;
        sum.recordsOut += op.recordsOut;
      }
    }
  }
  return [...byNode.values()].sort((a, b) => a.nodeId - b.nodeId);
}
