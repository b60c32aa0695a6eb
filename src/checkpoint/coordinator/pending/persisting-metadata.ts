/**
 * Second state of a pending checkpoint: every task acknowledged and the I/O edge is writing the
 * metadata. Owns the acknowledgements, in task order. Leaves this state when the edge reports
 * the write (persisted: the checkpoint completes) or its failure (persistFailed: aborted), or when
 * a newer checkpoint completes first (subsumed).
 *
 * Invariant: the checkpoint's content is complete, so neither the timeout nor a task failure nor
 * a stop aborts it: once its metadata is durable it is a valid checkpoint, and aborting it then
 * would tell sinks to roll back what a restore from it expects committed.
 */
import type { CheckpointId } from "../../storage/checkpoint-id.ts";
import type { TaskAcknowledgement } from "../acknowledgement.ts";
import type { TaskId } from "../task-id.ts";
import type { TriggerCause } from "../trigger-schedule.ts";

export class PersistingMetadata<S> {
  readonly state = "persisting-metadata";

  constructor(
    readonly id: CheckpointId,
    readonly cause: TriggerCause,
    readonly triggerTime: number,
    readonly tasks: ReadonlySet<TaskId>,
    readonly acknowledgements: readonly TaskAcknowledgement<S>[],
  ) {}

  get acknowledgedCount(): number {
    return this.acknowledgements.length;
  }

  /** Every task has acknowledged already: a known task's acknowledgement is a duplicate. */
  acknowledge(ack: TaskAcknowledgement<S>): { outcome: "duplicate" | "unknown"; next: PersistingMetadata<S> } {
    return { outcome: this.tasks.has(ack.taskId) ? "duplicate" : "unknown", next: this };
  }
}
