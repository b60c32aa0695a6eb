/**
 * Turns the acknowledgements of a checkpoint into its metadata: per operator, per subtask, the state
 * files; and, under the property OPERATOR_DESCRIPTIONS_PROPERTY, each operator's name and role, and
 * under JOB_NAME_PROPERTY the job's name, for tools that read a checkpoint without its job
 * (`weir savepoint inspect`). Restores ignore them.
 */
import { CHECKPOINT_FORMAT_VERSION, type CheckpointMetadata, type JsonValue, type OperatorStateMetadata, type SubtaskStateMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import { checkpointId } from "../../checkpoint/storage/checkpoint-id.ts";
import type { TaskAcknowledgement } from "../../checkpoint/coordinator/acknowledgement.ts";
import { operatorIdOf, type JobGraph } from "../../graph/job-graph.ts";
import { displayName } from "../../graph/stream-graph.ts";
import type { OperatorStateHandle } from "../task-checkpointing.ts";

/** The metadata property that describes operators: operator id → `OperatorDescription`. */
export const OPERATOR_DESCRIPTIONS_PROPERTY = "operatorDescriptions";

export { IN_FLIGHT_BYTES_PROPERTY } from "../../checkpoint/storage/checkpoint-metadata.ts";

/** The metadata property that names the job (its module, as `weir run` was given it). */
export const JOB_NAME_PROPERTY = "jobName";

/** What a checkpoint says of an operator besides its state. */
export interface OperatorDescription {
  readonly name: string;
  /** A source's own state is its read positions, a sink's its pending transactions. */
  readonly role: "source" | "sink" | "operator";
}

export function buildCheckpointMetadata(params: {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly triggeredAt: number;
  readonly completedAt: number;
  readonly fingerprint: string;
  readonly jobName?: string;
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
  const descriptions: { [operatorId: string]: JsonValue } = {};
  for (const vertex of params.job.vertices) {
    for (const node of vertex.nodes) {
      const operatorId = operatorIdOf(node);
      descriptions[operatorId] = { name: displayName(node), role: node.kind === "source" ? "source" : node.isSink ? "sink" : "operator" } satisfies OperatorDescription;
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
    properties: { ...params.properties, ...(params.jobName === undefined ? {} : { [JOB_NAME_PROPERTY]: params.jobName }), [OPERATOR_DESCRIPTIONS_PROPERTY]: descriptions },
  };
}
