/** How to run a job: runtime mode, overrides of the job's configuration, progress and cancellation. */
import type { Clock } from "../core/clock.ts";
import type { StateBackendName } from "../state/state-backends.ts";
import type { CheckpointingOptions } from "../api/checkpointing-settings.ts";
import type { CheckpointStats } from "../checkpoint/coordinator/stats.ts";
import type { RestartStrategyConfig } from "../recovery/restart-config.ts";
import type { JobStatusReader } from "./job-status.ts";
import type { OperatorMetrics } from "./metrics.ts";
import type { JobControl } from "./job-control.ts";
import type { StateRestoreReport } from "./state-restore-report.ts";

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
  /** Buffer debloating (the job's own `env.enableBufferDebloat()` / `disableBufferDebloat()` wins); see docs/checkpoints.md. */
  readonly bufferDebloat?: boolean;
  /** With buffer debloating: how long the records in flight towards a task should take it to process; default 1000. */
  readonly bufferDebloatTargetMs?: number;
  /**
   * Hand records between operators without copying them (the job's own
   * `getConfig().enableObjectReuse()` / `disableObjectReuse()` wins); see docs/records-and-state.md.
   */
  readonly objectReuse?: boolean;
  /** The keyed state backend (the job's own `env.setStateBackend` wins). */
  readonly stateBackend?: StateBackendName;
  /** Where an on-disk state backend makes its working directories. */
  readonly localStateDirectory?: string;
  /** Incremental checkpoints of keyed state (the job's own `env.enableChangelogStateBackend` wins); the backend's default when absent. */
  readonly incrementalCheckpoints?: boolean;
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
  /** Overrides the job's checkpoint settings; an interval alone enables checkpointing. */
  readonly checkpointing?: CheckpointingOptions & { readonly intervalMs?: number };
  /** Overrides the job's restart strategy. */
  readonly restartStrategy?: RestartStrategyConfig | string;
  /**
   * Resume from a checkpoint: "latest" (newest of this job graph under the checkpoint dir) or a
   * path to a checkpoint or savepoint, which may have been written by an earlier version of the
   * job or at other parallelisms (see docs/upgrades.md).
   */
  readonly from?: string;
  /** Restore although state of operators that are no longer in the job would be left out. */
  readonly allowNonRestoredState?: boolean;
  /** Restore the state of checkpoint operator `old` into the job's operator `new`: `{ [old]: new }`. */
  readonly mapUids?: { readonly [old: string]: string };
  /** Called with advice that does not stop the job (stateful operators without uids, say). */
  readonly onWarning?: (message: string) => void;
  /**
   * Start from scratch even though the checkpoint directory holds a completed checkpoint of this
   * job graph (without it, such a start is refused with WEIR_ERR_RESUMABLE_CHECKPOINT).
   */
  readonly fresh?: boolean;
  /** Called when a checkpoint completes or fails. */
  readonly onCheckpoint?: (stats: CheckpointStats) => void;
  /** Called when a failed job is about to restart. */
  readonly onRestart?: (event: RestartEvent) => void;
  /**
   * Called once the job's id is known, before its first attempt starts: what a control plane (the
   * REST API of `weir run`) reads and asks of the running job. A promise it returns is awaited
   * before the job starts (the control plane registers the job where others find it).
   */
  readonly onControl?: (control: JobControl) => void | Promise<void>;
  /**
   * Called by each thread of an attempt that restores a checkpoint, once its tasks hold the state:
   * which files it read, from local copies or from the checkpoint storage (and why not locally).
   */
  readonly onStateRestored?: (report: StateRestoreReport) => void;
  /** Called once per attempt when it is deployed, with the checkpoint it restores (if any). */
  readonly onAttempt?: (event: AttemptEvent) => void;
  /**
   * Called once, before the first attempt, with a reader of the job's status (its state, attempt,
   * last completed and pending checkpoints: see job-status.ts), which may be called at any moment
   * on this thread until the job ends, and after.
   */
  readonly observe?: (status: JobStatusReader) => void;
}

export interface RestartEvent {
  /** 1 for the first restart. */
  readonly restart: number;
  readonly delayMs: number;
  readonly cause: Error;
}

export interface AttemptEvent {
  readonly attempt: number;
  readonly jobId: string;
  /** The `_metadata` path of the checkpoint restored, if any. */
  readonly restoredFrom: string | undefined;
  readonly restoredCheckpointId: number | undefined;
}
