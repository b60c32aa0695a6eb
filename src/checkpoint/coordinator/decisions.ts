/**
 * What the coordinator tells the I/O edge to do. Every fact returns a list of decisions, to be
 * carried out in list order; the edge reports the outcome of a `persist` back as a fact
 * (`persisted` or `persistFailed`). No other decision expects an answer.
 */
import type { CheckpointId } from "../storage/checkpoint-id.ts";
import type { TaskAcknowledgement } from "./acknowledgement.ts";
import type { CheckpointFailureReason } from "./failure-reason.ts";
import type { SavepointType } from "./savepoint-type.ts";
import type { TriggerCause } from "./trigger-schedule.ts";

/** Start checkpoint `checkpointId`: the sources snapshot and emit its barrier. */
export interface TriggerDecision {
  readonly kind: "trigger";
  readonly checkpointId: CheckpointId;
  /** Coordinator time of the trigger; the checkpoint's timestamp. */
  readonly timestamp: number;
  readonly cause: TriggerCause;
  /** Present when the snapshot is a savepoint: a `savepoint-suspend` barrier stops every task that snapshots it. */
  readonly savepoint?: SavepointType;
}

/**
 * Every task acknowledged: write the checkpoint's metadata durably (temp name, fsync, rename),
 * then report `persisted(checkpointId)` or `persistFailed(checkpointId, error)`.
 */
export interface PersistDecision<S> {
  readonly kind: "persist";
  readonly checkpointId: CheckpointId;
  readonly timestamp: number;
  /** One per task, in the order the coordinator was given its tasks. */
  readonly acknowledgements: readonly TaskAcknowledgement<S>[];
}

/**
 * The checkpoint is durable: tell every task `notifyCheckpointComplete(checkpointId)`. A `final`
 * checkpoint was triggered after the job's input ended: the tasks may now close, and the
 * coordinator has stopped (it says so in the decisions that follow).
 */
export interface CompleteDecision {
  readonly kind: "complete";
  readonly checkpointId: CheckpointId;
  readonly final: boolean;
  /**
   * Present for a savepoint. A `savepoint` is not announced to the tasks (see SavepointType); a
   * `savepoint-suspend` or `savepoint-terminate` is, and is `final`.
   */
  readonly savepoint?: SavepointType;
}

/**
 * The checkpoint will never complete: tell every task `notifyCheckpointAborted(checkpointId)`
 * and delete what was written for it.
 */
export interface AbortDecision {
  readonly kind: "abort";
  readonly checkpointId: CheckpointId;
  readonly reason: CheckpointFailureReason;
  /** Present for a savepoint: after an aborted `savepoint-suspend` the tasks resume. */
  readonly savepoint?: SavepointType;
}

/** A completed checkpoint is no longer retained: delete it (files it shares with newer ones stay). */
export interface DiscardDecision {
  readonly kind: "discard";
  readonly checkpointId: CheckpointId;
}

/** A queued manual trigger request will not be served (checkpointing was suspended or stopped). */
export interface DropRequestDecision {
  readonly kind: "drop-request";
  readonly reason: CheckpointFailureReason;
}

/**
 * More checkpoints failed in a row than `tolerableFailures` allows: fail the job (the restart
 * strategy then decides whether it restarts). The coordinator is suspended when it says this.
 */
export interface FailJobDecision {
  readonly kind: "fail-job";
  /** One sentence for the job's failure message. */
  readonly reason: string;
  readonly consecutiveFailures: number;
  readonly tolerableFailures: number;
  /** The failure that went over the limit. */
  readonly lastFailure: { readonly checkpointId: CheckpointId; readonly reason: CheckpointFailureReason };
}

export type CoordinatorDecision<S = unknown> =
  | TriggerDecision
  | PersistDecision<S>
  | CompleteDecision
  | AbortDecision
  | DiscardDecision
  | DropRequestDecision
  | FailJobDecision;

/** The answer to `triggerNow`. */
export type TriggerRequestOutcome =
  | { readonly kind: "triggered"; readonly checkpointId: CheckpointId }
  /** Waiting for a free slot; the `trigger` decision with cause "manual" that follows serves it. */
  | { readonly kind: "queued" }
  | { readonly kind: "rejected"; readonly reason: Extract<CheckpointFailureReason, { kind: "too-many-concurrent" | "not-running" | "job-stopping" }> };
