/**
 * What a running job says of itself when asked, as Flink's job and checkpoint overviews do: the
 * job's state and attempt, the last completed checkpoint, and each pending checkpoint with the
 * tasks that have not acknowledged it. A job hands a reader of its status to
 * `RunOptions.observe`; whoever watches a job that stopped moving (the crash-test kit bounding a
 * run) reads it to say where it stopped.
 */
import type { CoordinatorPhase } from "../checkpoint/coordinator/coordinator.ts";
import type { PendingState } from "../checkpoint/coordinator/pending/pending-checkpoint.ts";

/**
 * - "deploying": an attempt's tasks are being deployed, restored and opened;
 * - "running": every task of the attempt is open and records flow;
 * - "restarting": an attempt failed; the next one is being prepared (the restart delay, the
 *   checkpoint to restore);
 * - "finished", "failed", "cancelled": the job ended.
 */
export type JobState = "deploying" | "running" | "restarting" | "finished" | "failed" | "cancelled";

export interface PendingCheckpointStatus {
  readonly id: number;
  readonly state: PendingState;
  /** Whether it is the job's final checkpoint (every source had ended its input). */
  readonly final: boolean;
  /** Milliseconds since it was triggered. */
  readonly ageMs: number;
  /** The tasks that have not acknowledged it, as "<vertex name> (<subtask>/<parallelism>)". */
  readonly awaitedTasks: readonly string[];
}

export interface CheckpointingStatus {
  readonly phase: CoordinatorPhase;
  readonly lastCompletedCheckpoint: number | undefined;
  readonly pending: readonly PendingCheckpointStatus[];
  /** Source tasks of the current attempt that reported the end of their input, of all. */
  readonly sourcesEnded: number;
  readonly sourceTasks: number;
  /** Whether the final checkpoint completed and the tasks were told to finish. */
  readonly finalCheckpointCompleted: boolean;
}

export interface JobStatusReport {
  readonly jobId: string;
  readonly state: JobState;
  /** Milliseconds the job has been in `state`. */
  readonly inStateMs: number;
  /** Zero for the first attempt. */
  readonly attempt: number;
  /** The checkpoint the current attempt restored, if any. */
  readonly restoredCheckpointId: number | undefined;
  /** Why the latest attempt failed, if one did. */
  readonly lastFailure: string | undefined;
  /** Undefined when the job takes no checkpoints. */
  readonly checkpointing: CheckpointingStatus | undefined;
}

/** Reads a job's status at the moment of the call. */
export type JobStatusReader = () => JobStatusReport;

/** The report as lines of text, for a person reading why a job stopped moving. */
export function describeJobStatus(s: JobStatusReport): string[] {
  const restored = s.restoredCheckpointId === undefined ? "from scratch" : `restored from checkpoint ${s.restoredCheckpointId}`;
  const lines = [`job ${s.jobId}: ${s.state} for ${seconds(s.inStateMs)} in attempt ${s.attempt + 1} (${restored})`];
  if (s.lastFailure !== undefined) lines.push(`last failure: ${s.lastFailure}`);
  const c = s.checkpointing;
  if (c === undefined) return [...lines, "checkpointing: off"];
  lines.push(`last completed checkpoint: ${c.lastCompletedCheckpoint ?? "none"}; checkpointing ${c.phase}`);
  if (c.pending.length === 0) lines.push("pending checkpoints: none");
  for (const p of c.pending) {
    const what = `pending checkpoint ${p.id}${p.final ? " (final)" : ""}, triggered ${seconds(p.ageMs)} ago`;
    lines.push(p.state === "persisting-metadata" ? `${what}: every task acknowledged, its metadata is being written` : `${what}: not acknowledged by ${p.awaitedTasks.join(", ")}`);
  }
  const sources = `sources that ended their input: ${c.sourcesEnded} of ${c.sourceTasks}`;
  lines.push(c.finalCheckpointCompleted ? `${sources}; the final checkpoint completed, the tasks were told to finish` : sources);
  return lines;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
