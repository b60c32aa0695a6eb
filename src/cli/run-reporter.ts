/**
 * What `weir run` prints on standard error while a job runs and when it ends: the start with the
 * job id, progress blocks, each attempt that restores a checkpoint or follows a restart (and what
 * it restores), each checkpoint, each restart, and the summary or the outcome. --quiet keeps only
 * what went wrong: failed checkpoints, restarts, and a job that did not finish (except one stopped
 * because its standard output was closed, which is no failure).
 */
import type { JobResult } from "../runtime/job-result.ts";
import type { RunOptions, RuntimeMode } from "../runtime/run-options.ts";
import { describeAttempt, describeCheckpoint, describeRestart, describeStateRestore, isAbortedByStop, isCheckpointFailure } from "./checkpoint-events.ts";
import type { TextWriter } from "./io.ts";
import { describeOutcome, type JobOutcome } from "./outcome.ts";
import { ProgressReporter, summary } from "./progress.ts";

export type RunCallbacks = Pick<RunOptions, "onStarted" | "onProgress" | "onAttempt" | "onStateRestored" | "onCheckpoint" | "onRestart" | "onWarning">;

export class RunReporter {
  private readonly progressBlocks = new ProgressReporter();
  private startedAt: number | undefined;
  private jobId: string | undefined;
  /** Checkpoints the statistics count as failed that were only aborted. */
  private aborted = 0;

  /** The RunOptions callbacks that report the job's events. */
  readonly callbacks: RunCallbacks;

  constructor(
    private readonly stderr: TextWriter,
    private readonly job: string,
    private readonly runtime: RuntimeMode | undefined,
    private readonly quiet: boolean,
  ) {
    this.callbacks = {
      onStarted: () => {
        this.startedAt = performance.now();
        const id = this.jobId === undefined ? "" : ` as ${this.jobId}`;
        this.progress(`job started: ${this.job}${id} (${this.runtime === "single-thread" ? "single thread" : "worker threads"})\n`);
      },
      onProgress: quiet ? undefined : (p) => this.stderr.write(this.progressBlocks.report(p)),
      onAttempt: (event) => {
        this.jobId = event.jobId;
        if (event.attempt > 0 || event.restoredFrom !== undefined) this.progress(describeAttempt(event));
      },
      onStateRestored: (report) => this.progress(describeStateRestore(report)),
      onCheckpoint: (stats) => {
        if (isCheckpointFailure(stats)) this.stderr.write(describeCheckpoint(stats));
        else {
          if (stats.status === "failed") this.aborted++;
          if (!isAbortedByStop(stats)) this.progress(describeCheckpoint(stats));
        }
      },
      onRestart: (event) => this.stderr.write(describeRestart(event)),
      onWarning: (message) => this.progress(`warning: ${message}\n`),
    };
  }

  /** Whether the job's tasks opened and records started to flow. */
  get started(): boolean {
    return this.startedAt !== undefined;
  }

  finished(result: JobResult): void {
    this.progress(summary(result.durationMs, result.operators, result.info, this.aborted));
  }

  ended(outcome: JobOutcome): void {
    const text = describeOutcome(outcome, this.startedAt === undefined ? undefined : performance.now() - this.startedAt);
    if (outcome.kind === "output-closed") this.progress(text);
    else this.stderr.write(text);
  }

  private progress(text: string): void {
    if (!this.quiet) this.stderr.write(text);
  }
}
