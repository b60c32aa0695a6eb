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
  readonly triggerTime: number;
  readonly acknowledgedTasks: number;
  readonly totalTasks: number;
  /** When it expires if still collecting acknowledgements; undefined once persisting. */
  readonly deadline: number | undefined;
}

export function viewOf(pending: PendingCheckpoint<unknown>): PendingCheckpointView {
  return {
    id: pending.id,
    state: pending.state,
    cause: pending.cause,
    triggerTime: pending.triggerTime,
    acknowledgedTasks: pending.acknowledgedCount,
    totalTasks: pending.tasks.size,
    deadline: pending.state === "collecting-acks" ? pending.deadline : undefined,
  };
}
