/**
 * What a running job lets its control plane (the REST API) see and do: its status, graph and
 * checkpoint statistics, savepoints, stop and cancel. A job run by `runJob` hands one to
 * `RunOptions.onControl` once its id is known. Every method answers at once; savepoints are
 * asynchronous operations, followed by trigger id.
 */
import type { CheckpointStatsSnapshot } from "../checkpoint/coordinator/stats.ts";
import type { SavepointOperationStatus } from "./master/savepoint-operations.ts";
import type { OperatorMetrics } from "./metrics.ts";

/** Flink's job states, as far as a local run has them. */
export type JobStatus = "INITIALIZING" | "RUNNING" | "RESTARTING" | "FINISHED" | "CANCELLING" | "CANCELED" | "FAILED";

export interface JobVertexInfo {
  readonly id: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

/** A trigger id to follow, or why the job cannot take the savepoint now (it is not running, or already stopping). */
export type SavepointTrigger = { readonly ok: true; readonly triggerId: string } | { readonly ok: false; readonly reason: string };

export interface JobControl {
  readonly jobId: string;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly startTime: number;
  status(): JobStatus;
  /** When the job reached a final status; undefined while it runs. */
  endTime(): number | undefined;
  vertices(): readonly JobVertexInfo[];
  /** Records in and out per operator, with its connector metrics, summed over subtasks as of the tasks' latest report. */
  operatorMetrics(): readonly OperatorMetrics[];
  /** Undefined when the job takes no checkpoints. */
  checkpointStats(): CheckpointStatsSnapshot | undefined;
  /** Where savepoints go when the request names no directory. */
  readonly defaultSavepointDir: string;
  /** A savepoint into `targetDir`; the job goes on. */
  triggerSavepoint(targetDir: string): SavepointTrigger;
  /** A final savepoint into `targetDir`, then the job finishes; with `drain`, sources end their input first. */
  stopWithSavepoint(targetDir: string, drain: boolean): SavepointTrigger;
  /** The operation's status; reading a settled one marks it read. */
  savepointStatus(triggerId: string): SavepointOperationStatus | undefined;
  /** Settled savepoint operations whose outcome was never read (a stopped job waits for them to be read before its API goes away). */
  readonly unreadSavepoints: number;
  /** Cancels the job, as a termination signal does; nothing is committed after this. */
  cancel(): void;
  /** Whether `cancel` was called. */
  readonly cancelRequested: boolean;
}
