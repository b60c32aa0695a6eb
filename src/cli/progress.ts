/**
 * Progress output of a running job: one compact block per report, with the elapsed time and, per
 * operator, records in and out and the input rate since the previous report; and the summary of a
 * finished job. Pure text: the caller decides where it goes and when.
 */
import type { OperatorMetrics } from "../runtime/metrics.ts";
import type { JobRunInfo } from "../runtime/job-result.ts";
import type { JobProgress } from "../runtime/run-options.ts";
import { formatCount, formatDuration, formatRate } from "./format.ts";

const MAX_NAME = 40;

interface Snapshot {
  readonly elapsedMs: number;
  readonly recordsIn: ReadonlyMap<number, number>;
}

/** One line per operator, names padded to a common width; `rateOf` gives each line's rate. */
function operatorLines(operators: readonly OperatorMetrics[], rateOf: (op: OperatorMetrics) => number | undefined): string[] {
  const names = operators.map((op) => (op.name.length > MAX_NAME ? `${op.name.slice(0, MAX_NAME - 1)}…` : op.name));
  const width = Math.max(0, ...names.map((n) => n.length));
  return operators.map((op, i) => {
    const rate = rateOf(op);
    const columns = `in ${formatCount(op.recordsIn).padStart(6)}   out ${formatCount(op.recordsOut).padStart(6)}`;
    return `  ${names[i]!.padEnd(width)}   ${columns}${rate === undefined ? "" : `   ${formatRate(rate).padStart(8)}`}`;
  });
}

export class ProgressReporter {
  private previous: Snapshot = { elapsedMs: 0, recordsIn: new Map() };

  /** A block for one progress report; rates are measured since the previous report. */
  report(progress: JobProgress): string {
    const previous = this.previous;
    const seconds = (progress.elapsedMs - previous.elapsedMs) / 1000;
    const lines = operatorLines(progress.operators, (op) => {
      if (seconds <= 0) return undefined;
      return Math.max(0, op.recordsIn - (previous.recordsIn.get(op.nodeId) ?? 0)) / seconds;
    });
    this.previous = { elapsedMs: progress.elapsedMs, recordsIn: new Map(progress.operators.map((op) => [op.nodeId, op.recordsIn])) };
    const header = `running for ${formatDuration(progress.elapsedMs)}${lines.length === 0 ? " (no metrics reported yet)" : ""}`;
    return [header, ...lines].join("\n") + "\n";
  }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/**
 * `job finished in 1.2s (job-…): 1 restart, 6 checkpoints completed, 0 failed`. Failed counts the
 * checkpoints that failed for a reason of their own; `aborted` of those the statistics count as
 * failed were only aborted (the job failed or stopped, or a newer one completed first).
 */
function summaryHeader(durationMs: number, info: JobRunInfo, aborted: number): string {
  const counts = info.checkpoints?.counts;
  const checkpoints =
    counts === undefined ? "no checkpoints" : `${plural(counts.completed, "checkpoint")} completed, ${Math.max(0, counts.failed - aborted)} failed`;
  return `job finished in ${formatDuration(durationMs)} (${info.jobId}): ${plural(info.restarts, "restart")}, ${checkpoints}`;
}

/**
 * The summary of a finished job: its id, duration, restarts and checkpoint counts, then per
 * operator its records and average input rate.
 */
export function summary(durationMs: number, operators: readonly OperatorMetrics[], info: JobRunInfo, abortedCheckpoints = 0): string {
  const seconds = durationMs / 1000;
  const lines = operatorLines(operators, (op) => (seconds > 0 ? op.recordsIn / seconds : undefined));
  return [summaryHeader(durationMs, info, abortedCheckpoints), ...lines].join("\n") + "\n";
}
