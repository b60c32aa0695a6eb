/**
 * One line of standard error per event of a running job's fault tolerance: a checkpoint that
 * completed, failed or was aborted; a restart; the start of an attempt and what it restores.
 * Pure text: the run command decides which lines --quiet keeps (failures and restarts).
 */
import { describeFailureReason, isFailureOutcome } from "../checkpoint/coordinator/failure-reason.ts";
import type { CheckpointStats } from "../checkpoint/coordinator/stats.ts";
import { formatBytes } from "../checkpoint/storage/list-checkpoints.ts";
import type { AttemptEvent, RestartEvent } from "../runtime/run-options.ts";
import { restoredBytes, type StateRestoreReport } from "../runtime/state-restore-report.ts";
import { formatDuration } from "./format.ts";

/**
 * Whether the checkpoint failed: it expired, was declined, could not be written, or was lost to a
 * task failure (or to a job failing), as opposed to being aborted because a newer checkpoint
 * completed first or the job stopped. Failed checkpoints are what the summary counts as failed.
 */
export function isCheckpointFailure(stats: CheckpointStats): boolean {
  return stats.status === "failed" && stats.failure !== undefined && isFailureOutcome(stats.failure);
}

/** Whether the checkpoint was aborted only because the job is stopping, which every stop may do: not worth a line. */
export function isAbortedByStop(stats: CheckpointStats): boolean {
  return stats.status === "failed" && stats.failure?.kind === "job-stopping";
}

/** `checkpoint 3 completed in 31ms, 1.4 KiB` (`savepoint 3 …` for a savepoint); `checkpoint 4 failed after 10.0s: <reason>`; `checkpoint 5 aborted …`. */
export function describeCheckpoint(stats: CheckpointStats): string {
  const took = stats.durationMs === undefined ? "" : formatDuration(stats.durationMs);
  const what = stats.savepoint === undefined ? "checkpoint" : "savepoint";
  if (stats.status === "completed") return `${what} ${stats.id} completed in ${took}, ${formatBytes(stats.bytes)}\n`;
  const verb = isCheckpointFailure(stats) ? "failed" : "aborted";
  const reason = stats.failure === undefined ? "" : `: ${describeFailureReason(stats.failure)}`;
  return `${what} ${stats.id} ${verb}${took === "" ? "" : ` after ${took}`}${reason}\n`;
}

/** `restarting in 1.0s (restart 1) after a failure: <first line of the cause>`. */
export function describeRestart(event: RestartEvent): string {
  const cause = event.cause.message.split("\n")[0];
  return `restarting in ${formatDuration(event.delayMs)} (restart ${event.restart}) after a failure: ${cause}\n`;
}

/** `attempt 1 of job-…: starting from scratch`, or `…: restoring checkpoint 5 from <path>`. Attempts count from 1. */
export function describeAttempt(event: AttemptEvent): string {
  const what =
    event.restoredFrom === undefined
      ? "starting from scratch"
      : `restoring checkpoint ${event.restoredCheckpointId ?? "?"} from ${event.restoredFrom}`;
  return `attempt ${event.attempt + 1} of ${event.jobId}: ${what}\n`;
}

/**
 * `worker 0 restored checkpoint 5: 2 state files, 38.1 MiB in 812ms (2 from local copies)` (and,
 * when some state came from elsewhere, `, 1 from the checkpoint storage, 1 inside _metadata`), then
 * one line per file that could have come from its local copy and came from the checkpoint storage,
 * saying why: `  local copy of operator 'count' subtask 0 missing (<path>): read from the checkpoint storage`.
 */
export function describeStateRestore(report: StateRestoreReport): string {
  const local = report.files.filter((f) => f.source === "local").length;
  const fromStorage = report.files.filter((f) => f.source === "storage").length;
  const inline = report.files.length - local - fromStorage;
  const parts = [`${local} from local copies`, ...(fromStorage === 0 ? [] : [`${fromStorage} from the checkpoint storage`]), ...(inline === 0 ? [] : [`${inline} inside _metadata`])];
  const sources = local === 0 ? "" : ` (${parts.join(", ")})`;
  const files = `${report.files.length} state file${report.files.length === 1 ? "" : "s"}`;
  let text = `worker ${report.worker} restored checkpoint ${report.checkpointId}: ${files}, ${formatBytes(restoredBytes(report))} in ${formatDuration(report.endedAt - report.startedAt)}${sources}\n`;
  for (const file of report.files) {
    const copy = file.localCopy;
    if (copy === undefined) continue;
    const why = copy.kind === "missing" ? `missing (${copy.path})` : `corrupt: ${copy.problem ?? copy.path}`;
    text += `  local copy of operator '${file.operatorId}' subtask ${file.subtask} ${why}: read from the checkpoint storage\n`;
  }
  return text;
}
