/**
 * What a task sends when it has snapshotted its part of a checkpoint, and what the coordinator
 * answers. The snapshot (`S`) is opaque here: the coordinator only hands it on to the metadata
 * writer with the persist decision.
 */
import type { TaskId } from "./task-id.ts";

/** Measured by the task for one checkpoint; all durations in milliseconds. */
export interface TaskCheckpointStats {
  /** The synchronous phase: capturing a consistent view while processing is paused. */
  readonly syncDurationMs: number;
  /** The asynchronous phase: writing that view while processing continues. */
  readonly asyncDurationMs: number;
  /** From the first barrier to the last one across the task's inputs (0 for a single input). */
  readonly alignmentDurationMs: number;
  /** Bytes the task wrote for this checkpoint. */
  readonly bytes: number;
  /** Of `bytes`, those of records in flight (the channel state of an unaligned checkpoint); absent for none. */
  readonly inFlightBytes?: number;
}

/** One task's accepted acknowledgement, as the persist decision carries it. */
export interface TaskAcknowledgement<S> {
  readonly taskId: TaskId;
  /** Coordinator time at which the acknowledgement was accepted. */
  readonly ackTime: number;
  readonly stats: TaskCheckpointStats;
  readonly snapshot: S | undefined;
}

/**
 * The answer to an acknowledgement (Flink's TaskAcknowledgeResult). Only `success` makes the
 * snapshot part of a checkpoint; for every other outcome the caller should discard whatever the
 * snapshot refers to.
 *
 * - `success`: recorded.
 * - `duplicate`: this task already acknowledged this checkpoint; the first acknowledgement stands.
 * - `unknown`: this coordinator never triggered that checkpoint, or the task is not one of the
 *   tasks that acknowledge.
 * - `discarded`: the checkpoint has already ended (aborted, expired, completed); the
 *   acknowledgement came too late.
 */
export type AcknowledgeOutcome =
  | { readonly kind: "success" }
  | { readonly kind: "duplicate" }
  | { readonly kind: "unknown" }
  | { readonly kind: "discarded" };
