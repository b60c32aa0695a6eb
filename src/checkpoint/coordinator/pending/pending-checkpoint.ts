/**
 * A checkpoint between its trigger and its end. Ended checkpoints (completed or aborted) have no
 * state object: the coordinator forgets them and the statistics remember them.
 *
 *   trigger → CollectingAcks ──all acknowledged──▶ PersistingMetadata ──persisted──▶ (completed)
 *                  │                                      │
 *                  └──expired / declined / subsumed /     └──persist failed / subsumed──▶ (aborted)
 *                     task failure / stop──▶ (aborted)
 */
import type { CheckpointId } from "../../storage/checkpoint-id.ts";
import type { TaskId } from "../task-id.ts";
import type { TriggerCause } from "../trigger-schedule.ts";
import type { CollectingAcks } from "./collecting-acks.ts";
import type { PersistingMetadata } from "./persisting-metadata.ts";

export type PendingCheckpoint<S> = CollectingAcks<S> | PersistingMetadata<S>;

export type PendingState = PendingCheckpoint<unknown>["state"];

/** What the coordinator shows of a pending checkpoint. */
export interface PendingCheckpointView {
  readonly id: CheckpointId;
  readonly state: PendingState;
  readonly cause: TriggerCause;
  /** Whether it is the job's final checkpoint (triggered after every source ended its input). */
  readonly final: boolean;
  readonly triggerTime: number;
  readonly acknowledgedTasks: number;
  readonly totalTasks: number;
  /** The tasks that have not acknowledged it, in task order (none once persisting). */
  readonly awaitedTasks: readonly TaskId[];
  /** When it expires if still collecting acknowledgements; undefined once persisting. */
  readonly deadline: number | undefined;
}

export function viewOf(pending: PendingCheckpoint<unknown>, final: boolean): PendingCheckpointView {
  return {
    id: pending.id,
    state: pending.state,
    cause: pending.cause,
    final,
    triggerTime: pending.triggerTime,
    acknowledgedTasks: pending.acknowledgedCount,
    totalTasks: pending.tasks.size,
    awaitedTasks: pending.state === "collecting-acks" ? pending.awaitedTasks() : [],
    deadline: pending.state === "collecting-acks" ? pending.deadline : undefined,
  };
}
