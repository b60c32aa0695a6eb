/**
 * The sink contract. Each parallel subtask of a sink creates one writer. Writes are synchronous
 * and must not block for long (buffer, and do slow I/O in `flush`/`close`, which may be async).
 *
 * Checkpoints: `snapshotState(n)` runs when the writer's subtask takes checkpoint n (after every
 * record before barrier n and before any record after it); what it returns is stored in the
 * checkpoint and handed back as `restoredState` when the job restores from it. The writer is told
 * when checkpoint n completed (every task has it and it is durable) or was aborted. A writer
 * that makes output visible only on completion gives exactly-once output (see
 * two-phase-commit-sink.ts); one that ignores the hooks gives no guarantee across failures.
 */
import type { JobArgs } from "../api/job-args.ts";
import type { ClientChannel } from "../runtime/operators/operator.ts";
import type { ConnectorMetrics } from "../runtime/metrics.ts";

export interface SinkContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly args: JobArgs;
  /** Stable identity of the sink operator within the job (its uid, or a derived name). */
  readonly operatorId: string;
  /** Hands records to the process that submitted the job (used by collecting sinks). */
  readonly client: ClientChannel;
  /** Whether the job takes checkpoints; without them, transactional writers commit at end of input. */
  readonly checkpointing: boolean;
  /**
   * The job's checkpoint interval in milliseconds (undefined without checkpoints): what a sink
   * checks the lifetime of its transactions or of its duplicate detection against.
   */
  readonly checkpointIntervalMs?: number | undefined;
  /**
   * What this subtask's writer returned from `snapshotState` in the checkpoint being restored;
   * undefined when the sink's parallelism changed since (see `restoredStates`).
   */
  readonly restoredState: unknown;
  /**
   * Every writer state this subtask takes over: `[restoredState]` at the checkpoint's parallelism
   * (empty when nothing was restored); at another parallelism, the states of the old subtasks j
   * with j mod parallelism = subtaskIndex, possibly none. A writer that resumes must finish what
   * each of them left (commit their pending transactions, say).
   */
  readonly restoredStates: readonly unknown[];
  /** The id of the checkpoint being restored, if any. */
  readonly restoredCheckpointId: number | undefined;
}

export interface SinkWriter<T> {
  write(record: T): void;
  /** Called once at the end of input, before close. */
  flush?(): void | Promise<void>;
  /** Checkpoint n is being taken: make what was written so far recoverable; return the state to store. */
  snapshotState?(checkpointId: number): unknown;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
  /** This writer's counts of what it wrote (connector metrics); called between records, at each progress report. */
  metrics?(): ConnectorMetrics | undefined;
  close?(): void | Promise<void>;
}

export interface Sink<T> {
  /**
   * The writers are done with a record when `write` returns and never change it (they format it
   * at once, or drop it): records reach them without a copy. Leave it unset for a writer that
   * keeps records (in a buffer, a transaction, a list) — they are then copies of their own.
   */
  readonly readsRecordsOnly?: boolean;
  createWriter(context: SinkContext): SinkWriter<T> | Promise<SinkWriter<T>>;
  /** How to read back what the sink committed; absent for sinks that give no guarantee. */
  readonly committed?: CommittedOutput;
}

/**
 * What a sink promises about its committed output across failures and restores:
 * "exactly-once": it equals what a run without failures commits;
 * "at-least-once": it holds everything such a run commits, some of it possibly more than once.
 */
export type OutputGuarantee = "exactly-once" | "at-least-once";

/** What the reader of a sink's committed output may need from the run that produced it. */
export interface ReadBackContext {
  /** The sink's operator id (its uid, or a derived name). */
  readonly operatorId: string;
  /** The records a collecting sink handed back in this process, if the run was in this process. */
  readonly collected: (sinkId: string) => readonly unknown[] | undefined;
}

/**
 * Reading back a sink's committed output, for comparing runs (the crash-test kit). A sink of
 * one's own can offer it too, to be compared.
 */
export interface CommittedOutput {
  readonly guarantee: OutputGuarantee;
  /**
   * Everything committed, as comparable values (records, or the lines written), each subtask's
   * in the order it committed them; undefined when it cannot be read here (a collecting sink's
   * records live in the process that ran the job).
   */
  read(context: ReadBackContext): readonly unknown[] | undefined | Promise<readonly unknown[] | undefined>;
}

/** What a user's target implements so that its committed output can be read back and compared. */
export interface CommittedReader {
  readCommitted(): readonly unknown[] | Promise<readonly unknown[]>;
  /** Overrides the sink's own guarantee (a write-ahead target that deduplicates is exactly-once). */
  readonly guarantee?: OutputGuarantee;
}

/** The CommittedOutput of a sink whose target implements `reader`, with the sink's own guarantee. */
export function committedThrough(reader: CommittedReader | undefined, guarantee: OutputGuarantee): CommittedOutput | undefined {
  if (reader === undefined) return undefined;
  return { guarantee: reader.guarantee ?? guarantee, read: () => reader.readCommitted() };
}
