/**
 * Bounding a faulted run: how long it may take, and what the report says of a run that did not
 * end in time. A faulted run restarts or resumes its job a few times, each time deploying it again
 * and restoring a checkpoint, so it takes a few times as long as a run without faults; the default
 * bound is a generous multiple of the reference runs' time, never below a floor that absorbs a busy
 * machine's slow starts. A run past its bound is stopped (its job cancelled and its threads ended,
 * or its process killed) and reported as stalled, with where it stalled: the job's status then
 * (state and attempt, last completed checkpoint, pending checkpoints and the tasks that have not
 * acknowledged them), and the last fault that fired.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describeJobStatus, type JobStatusReport } from "../../runtime/job-status.ts";
import { describeFault, type FaultPlan } from "./fault-plan.ts";

/** The default bound is this many times the slower reference run's wall-clock time ... */
export const RUN_TIMEOUT_FACTOR = 10;
/** ... and never less than this. */
export const MIN_RUN_TIMEOUT_MS = 30_000;

/** How long a faulted run may take when no timeout is given, from the slower reference run's wall-clock time. */
export function defaultRunTimeoutMs(referenceMs: number): number {
  return Math.max(MIN_RUN_TIMEOUT_MS, Math.ceil(RUN_TIMEOUT_FACTOR * referenceMs));
}

/** Where a run stood when it was stopped for taking longer than its bound. */
export interface StallReport {
  readonly timeoutMs: number;
  /** The job's status when the run was stopped, as lines (see describeJobStatus). */
  readonly status: readonly string[];
  /** The last fault of the plan that fired, with when, or that none did. */
  readonly lastFault: string;
  /** How the run's job was stopped. */
  readonly stopped: string;
}

/** The report's lines, for describeRun. */
export function describeStall(s: StallReport): string[] {
  return [`stalled: the run did not end within its ${(s.timeoutMs / 1000).toFixed(1)} s timeout; ${s.stopped}`, ...s.status, `last fault: ${s.lastFault}`];
}

/**
 * The last fault of `plan` that fired in the run in `dir` (each leaves its marker file there when
 * it fires), and how long after `startedAt` (epoch milliseconds) it fired.
 */
export function lastFiredFault(plan: FaultPlan | undefined, dir: string, startedAt: number): string {
  const faults = plan?.faults ?? [];
  for (let i = faults.length - 1; i >= 0; i--) {
    const marker = join(dir, faults[i]!.marker);
    if (!existsSync(marker)) continue;
    const at = (statSync(marker).mtimeMs - startedAt) / 1000;
    return `${describeFault(plan!, i)}, fired ${Math.max(0, at).toFixed(1)} s into the run`;
  }
  return faults.length === 0 ? "none planned" : `none of the ${faults.length} planned fired`;
}

/**
 * The status a job process of a killed run last wrote to `file` (see FaultOptions.statusFile), as
 * lines, with how old it was at `now` (epoch milliseconds); what is known when it wrote none.
 */
export function statusWrittenTo(file: string, now: number): string[] {
  if (!existsSync(file)) return ["the job's process wrote no status (it had not started the job)"];
  try {
    const status = JSON.parse(readFileSync(file, "utf8")) as JobStatusReport;
    const age = (now - statSync(file).mtimeMs) / 1000;
    return [...describeJobStatus(status), `(as the job's process wrote it ${Math.max(0, age).toFixed(1)} s before the run was stopped)`];
  } catch (e) {
    return [`the job's status could not be read from ${file}: ${e instanceof Error ? e.message : String(e)}`];
  }
}
