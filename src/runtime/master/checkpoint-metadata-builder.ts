/** Turns the acknowledgements of a checkpoint into its metadata: per operator, per subtask, the state files. */
import { CHECKPOINT_FORMAT_VERSION, type CheckpointMetadata, type OperatorStateMetadata, type SubtaskStateMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import { checkpointId } from "../../checkpoint/storage/checkpoint-id.ts";
import type { TaskAcknowledgement } from "../../checkpoint/coordinator/acknowledgement.ts";
import { operatorIdOf, type JobGraph } from "../../graph/job-graph.ts";
import type { OperatorStateHandle } from "../task-checkpointing.ts";

export function buildCheckpointMetadata(params: {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly triggeredAt: number;
  readonly completedAt: number;
  readonly fingerprint: string;
  readonly job: JobGraph;
  readonly acknowledgements: readonly TaskAcknowledgement<readonly OperatorStateHandle[]>[];
  readonly properties?: CheckpointMetadata["properties"];
}): CheckpointMetadata {
  const byOperator = new Map<string, Map<number, { state: OperatorStateHandle["handle"][]; keyGroupRange?: OperatorStateHandle["keyGroupRange"] }>>();
  for (const ack of params.acknowledgements) {
    for (const h of ack.snapshot ?? []) {
      let subtasks = byOperator.get(h.operatorId);
      if (subtasks === undefined) byOperator.set(h.operatorId, (subtasks = new Map()));
      let entry = subtasks.get(h.subtask);
      if (entry === undefined) subtasks.set(h.subtask, (entry = { state: [], ...(h.keyGroupRange === undefined ? {} : { keyGroupRange: h.keyGroupRange }) }));
      entry.state.push(h.handle);
    }
  }
  const operators: OperatorStateMetadata[] = [];
  for (const vertex of params.job.vertices) {
    for (const node of vertex.nodes) {
      const operatorId = operatorIdOf(node);
      const subtasks: SubtaskStateMetadata[] = [...(byOperator.get(operatorId) ?? new Map()).entries()]
        .sort(([a], [b]) => a - b)
        .map(([subtask, entry]) => ({ subtask, ...entry }));
      operators.push({ operatorId, parallelism: vertex.parallelism, maxParallelism: params.job.maxParallelism, subtasks });
    }
  }
  return {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    jobId: params.jobId,
    checkpointId: checkpointId(params.checkpointId),
    triggeredAt: params.triggeredAt,
    completedAt: params.completedAt,
    jobFingerprint: params.fingerprint,
    operators,
    ...(params.properties === undefined ? {} : { properties: params.properties }),
  };
}
