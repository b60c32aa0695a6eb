/**
 * Why a checkpoint ended without completing, or why one could not start: one closed union, shown
 * as is by the UI (Flink's CheckpointFailureReason). Whether a reason counts toward the
 * tolerable-failures limit is decided here and nowhere else.
 */
import type { CheckpointId } from "../storage/checkpoint-id.ts";
import type { TaskId } from "./task-id.ts";

export type CheckpointFailureReason =
  /** Not every task acknowledged within the timeout. */
  | { readonly kind: "expired"; readonly timeoutMs: number }
  /** A task could not take its snapshot and said so. */
  | { readonly kind: "declined"; readonly taskId: TaskId; readonly message: string }
  /** Every task acknowledged, but the metadata could not be written durably. */
  | { readonly kind: "persist-failed"; readonly message: string }
  /** A newer checkpoint completed first, which makes this one useless. */
  | { readonly kind: "subsumed"; readonly by: CheckpointId }
  /** A task failed; the job restarts from the latest completed checkpoint. */
  | { readonly kind: "task-failure" }
  /** More checkpoints failed in a row than tolerated, so the coordinator failed the job. */
  | { readonly kind: "job-failing" }
  /** The job is stopping (finished, cancelled or stopped). */
  | { readonly kind: "job-stopping" }
  /** A requested checkpoint cannot start: as many as allowed are in progress. */
  | { readonly kind: "too-many-concurrent"; readonly maxConcurrent: number }
  /** A requested checkpoint cannot start: checkpointing is suspended (after a failure) or stopped. */
  | { readonly kind: "not-running"; readonly phase: "suspended" | "stopped" };

export type CheckpointFailureKind = CheckpointFailureReason["kind"];

/**
 * Which reasons are failures of checkpointing itself, and so count toward `tolerableFailures`.
 * The others are consequences of something that is already handled (a task failure, a stop, a
 * newer checkpoint) or refusals to start.
 */
const COUNTED: { readonly [K in CheckpointFailureKind]: boolean } = {
  "expired": true,
  "declined": true,
  "persist-failed": true,
  "subsumed": false,
  "task-failure": false,
  "job-failing": false,
  "job-stopping": false,
  "too-many-concurrent": false,
  "not-running": false,
};

export function countsTowardFailureLimit(reason: CheckpointFailureReason): boolean {
  return COUNTED[reason.kind];
}

/**
 * Which reasons end a checkpoint in the normal course of a job (a newer one completed first, or
 * the job stops): the checkpoint was aborted, not failed. Every other reason is a failure, as the
 * run summary counts it.
 */
const ENDS_NORMALLY: { readonly [K in CheckpointFailureKind]: boolean } = {
  "expired": false,
  "declined": false,
  "persist-failed": false,
  "subsumed": true,
  "task-failure": false,
  "job-failing": false,
  "job-stopping": true,
  "too-many-concurrent": false,
  "not-running": false,
};

export function isFailureOutcome(reason: CheckpointFailureReason): boolean {
  return !ENDS_NORMALLY[reason.kind];
}

/** One line for logs and the UI, completing "checkpoint n failed: …". */
export function describeFailureReason(reason: CheckpointFailureReason): string {
  switch (reason.kind) {
    case "expired":
      return `not every task acknowledged it within the ${reason.timeoutMs} ms timeout`;
    case "declined":
      return `task ${reason.taskId} declined it: ${reason.message}`;
    case "persist-failed":
      return `its metadata could not be written: ${reason.message}`;
    case "subsumed":
      return `checkpoint ${reason.by} completed first`;
    case "task-failure":
      return "a task failed";
    case "job-failing":
      return "too many checkpoints failed in a row, so the job is failing";
    case "job-stopping":
      return "the job is stopping";
    case "too-many-concurrent":
      return `${reason.maxConcurrent} checkpoint(s) already in progress, the most allowed`;
    case "not-running":
      return `checkpointing is ${reason.phase}`;
  }
}
