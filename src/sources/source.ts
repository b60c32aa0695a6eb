/**
 * The reader-per-subtask source contract, the simple form for a custom source (split-source.ts
 * has the split-based one). A source describes where records come from; each parallel subtask
 * of the source operator creates one reader and pulls from it. Readers never block the task's thread:
 * `pollNext` returns at once, and a reader with nothing to hand over says so and offers a promise
 * that resolves when polling can make progress again.
 */
import type { Clock } from "../core/clock.ts";
import type { JobArgs } from "../api/job-args.ts";
import type { ConnectorMetrics } from "../runtime/metrics.ts";

export type InputStatus = "more-available" | "nothing-available" | "end-of-input";

export interface SourceOutput<T> {
  collect(record: T): void;
}

export interface SourceReaderContext {
  /** Zero-based index of this reader's subtask. */
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly args: JobArgs;
  readonly clock: Clock;
  /** What this subtask's reader returned from `snapshotState` in the checkpoint being restored. */
  readonly restoredState?: unknown;
}

export interface SourceReader<T> {
  open?(): void | Promise<void>;
  /**
   * Hands at most `maxRecords` records to `output` and returns at once.
   * "nothing-available": call `isAvailable()` and wait on it before polling again.
   * "end-of-input": the reader has emitted its last record and is not polled again.
   */
  pollNext(output: SourceOutput<T>, maxRecords: number): InputStatus;
  /** Resolves when `pollNext` may make progress; resolved already when it may now. */
  isAvailable(): Promise<void>;
  /**
   * The read position after the records emitted so far, as plain data; a reader created with it
   * as `restoredState` continues right after them. Called between polls. A reader without it is
   * not replayable: after a failure it starts over.
   */
  snapshotState?(checkpointId?: number): unknown;
  /** Checkpoint `checkpointId` completed: everything emitted before its snapshot is committed downstream. */
  notifyCheckpointComplete?(checkpointId: number): void;
  /** This reader's counts of what it read (connector metrics); called between polls, at each progress report. */
  metrics?(): ConnectorMetrics | undefined;
  close?(): void | Promise<void>;
}

export interface Source<T> {
  readonly boundedness: "bounded" | "unbounded";
  /**
   * Each record the readers emit is a new object they keep no reference to: it reaches the next
   * operator without a copy. Leave it unset for readers that reuse objects or emit values they
   * also keep (they are then copied where an operator may change them).
   */
  readonly emitsOwnedRecords?: boolean;
  /**
   * Called once per subtask, in the thread that runs it. Readers of one source must together
   * emit each record once: a reader takes its share by `subtaskIndex` and `parallelism`.
   */
  createReader(context: SourceReaderContext): SourceReader<T>;
}

export const AVAILABLE: Promise<void> = Promise.resolve();
