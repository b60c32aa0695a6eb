/**
 * One execution attempt of a job: its tasks deployed (on worker threads or on this thread), from
 * scratch or from a checkpoint. The job master drives an attempt and hears from it through a
 * listener; a failed attempt is cancelled and replaced by a new one.
 */
import type { CheckpointMetadata } from "../../checkpoint/storage/checkpoint-metadata.ts";
import type { Clock } from "../../core/clock.ts";
import type { JobDefinition } from "../../api/define-job.ts";
import type { EnvironmentConfig } from "../../api/environment.ts";
import type { TaskMetrics } from "../metrics.ts";
import type { StateRestoreReport } from "../state-restore-report.ts";
import type { CheckpointMode, TaskSnapshotAck } from "../task-checkpointing.ts";
import type { BarrierKind } from "../barriers/barrier.ts";
import type { EnumeratorToReader, ReaderToEnumerator } from "../source-events.ts";

export interface AttemptListener {
  /** Every task is open; records flow once `start` is called. */
  ready(): void;
  acknowledge(taskId: string, ack: TaskSnapshotAck): void;
  decline(taskId: string, checkpointId: number, reason: string): void;
  /** A source task emitted its last record. */
  endOfData(taskId: string): void;
  collect(sinkId: string, records: readonly unknown[]): void;
  /** The reader of a split-based source in task `taskId` sent its enumerator a message. */
  toEnumerator(taskId: string, message: ReaderToEnumerator): void;
  metrics(group: number, tasks: readonly TaskMetrics[]): void;
  /** A thread restored its tasks' state. */
  restored(report: StateRestoreReport): void;
  /** Advice from a thread that does not stop the job. */
  warning(message: string): void;
  /** Every task finished. */
  finished(): void;
  /** The attempt failed; it must be cancelled. */
  failed(error: Error): void;
}

export interface Attempt {
  start(): void;
  triggerCheckpoint(checkpointId: number, timestamp: number, kind: BarrierKind): void;
  /** Stop with drain: every source ends its input now, as a bounded source does at its end. */
  drainSources(): void;
  notifyCheckpointComplete(checkpointId: number): void;
  notifyCheckpointAborted(checkpointId: number): void;
  /** The final checkpoint completed: tasks past end of data close. */
  finish(): void;
  /** Sends the reader of source task `taskId` what its enumerator says; in order with the other commands. */
  toReader(taskId: string, message: EnumeratorToReader): void;
  /** Stops every task and releases the attempt's threads; safe to call more than once. */
  cancel(): Promise<void>;
}

export interface AttemptCheckpointing {
  readonly mode: CheckpointMode;
  /**
   * Set for exactly-once checkpoints that may be unaligned: how long alignment may take before the
   * barriers overtake the records in flight (0: at once); savepoints stay aligned.
   */
  readonly alignedCheckpointTimeoutMs?: number;
  /** The job's checkpoint interval, which sinks check their transaction timeouts against. */
  readonly intervalMs: number;
  readonly root: string;
  readonly jobId: string;
  /** With local recovery: the root of the tasks' local state copies (see checkpoint/local/). */
  readonly localRecoveryDir?: string;
  /** State smaller than this many bytes goes inside `_metadata` instead of a file (see CheckpointingOptions.memoryThreshold). */
  readonly memoryThreshold?: number;
}

export interface AttemptSpec {
  readonly definition: JobDefinition;
  /** The job module, for attempts that rebuild the job in other threads. */
  readonly moduleUrl: string | undefined;
  readonly overrides: Partial<EnvironmentConfig>;
  readonly args: readonly string[];
  readonly maxWorkers: number;
  readonly fingerprint: string;
  readonly checkpointing: AttemptCheckpointing | undefined;
  readonly restore: CheckpointMetadata | undefined;
  readonly clock: Clock;
  readonly progressIntervalMs: number;
  /** Zero for the first attempt. */
  readonly attemptNumber: number;
}
