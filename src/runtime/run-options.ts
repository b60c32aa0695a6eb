/** How to run a job: runtime mode, overrides of the job's configuration, progress and cancellation. */
import type { Clock } from "../core/clock.ts";
import type { OperatorMetrics } from "./metrics.ts";

export type RuntimeMode = "threads" | "single-thread";

export interface JobProgress {
  readonly elapsedMs: number;
  readonly operators: readonly OperatorMetrics[];
}

export interface RunOptions {
  /** "threads" (default) runs subtasks on worker threads; "single-thread" runs all in this thread. */
  readonly runtime?: RuntimeMode;
  /** Default parallelism for the job's operators (the job may still set its own). */
  readonly parallelism?: number;
  readonly maxParallelism?: number;
  readonly bufferSize?: number;
  readonly bufferTimeoutMs?: number;
  /** Arguments handed to the job's build function. */
  readonly args?: readonly string[];
  /** At most this many worker threads (default: one per core). */
  readonly maxWorkers?: number;
  readonly progressIntervalMs?: number;
  readonly onProgress?: (progress: JobProgress) => void;
  /** Called once every task is open, just before records start to flow. */
  readonly onStarted?: () => void;
  /** Aborting cancels the job. */
  readonly signal?: AbortSignal;
  /** Processing time for the single-thread runtime (tests). */
  readonly clock?: Clock;
}
