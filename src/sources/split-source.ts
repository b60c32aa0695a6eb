/**
 * The split-based source contract, after Flink's FLIP-27. A split is a piece of the input (a range
 * of generator indexes, a byte range of a file, a partition of a topic) together with how far it
 * was read. One enumerator per source runs in the job master: it discovers splits and assigns
 * them to the readers, one per parallel subtask of the source, which read them.
 *
 * Exactly once: the enumerator is snapshotted when a checkpoint is triggered, before any reader
 * sees it; each reader's state is the list of its splits with their positions. Assignments and
 * the trigger reach a reader in the order they were sent, so a split assigned before the
 * enumerator's snapshot is in the reader's snapshot, and one assigned after it is in the
 * enumerator's snapshot (as unassigned) and not in the reader's. On a restore the enumerator is
 * restored from its snapshot and the readers' splits are dealt out evenly to the new readers
 * before they start; the dealing works for any old and new parallelism, though the runtime
 * restores a checkpoint only at the parallelism that wrote it until rescaling comes.
 *
 * Splits, enumerator checkpoints and events travel between threads and are stored in
 * checkpoints: they must be plain data (the enumerator's checkpoint plain JSON).
 */
import type { Clock } from "../core/clock.ts";
import type { JobArgs } from "../api/job-args.ts";
import type { ConnectorMetrics } from "../runtime/metrics.ts";
import type { InputStatus, Source, SourceOutput, SourceReaderContext } from "./source.ts";

export interface SourceSplit {
  /** Unique within its source; the same split keeps it across checkpoints and restores. */
  readonly splitId: string;
}

/** A custom event between a reader and its enumerator: plain data. */
export type SourceEvent = unknown;

export interface SplitEnumeratorContext<Split extends SourceSplit> {
  /** The parallelism of the source: readers are subtasks 0 .. currentParallelism() - 1. */
  currentParallelism(): number;
  /** Readers that registered (opened) in this attempt, by subtask index. */
  registeredReaders(): ReadonlySet<number>;
  /**
   * Hands splits to readers, by subtask index. What is sent to a reader that has not registered
   * yet (from `start()`, say) waits and reaches it, in order, when it registers.
   */
  assignSplits(assignment: ReadonlyMap<number, readonly Split[]>): void;
  assignSplit(split: Split, subtaskId: number): void;
  /** Tells a reader that no split will come any more: a bounded reader ends once its splits are read. */
  signalNoMoreSplits(subtaskId: number): void;
  sendEventToSourceReader(subtaskId: number, event: SourceEvent): void;
  /**
   * Runs `callable` (which may do I/O, e.g. list a topic's partitions) after `initialDelayMs`, and
   * again every `periodMs` after each run ended when `periodMs` > 0; `handler` gets its result or
   * its error, in the job master, where it may assign splits. A handler that throws fails the job.
   * Stops when the enumerator closes (at the end of the attempt).
   */
  callAsync<R>(callable: () => R | Promise<R>, handler: (result: R | undefined, error: unknown) => void, initialDelayMs?: number, periodMs?: number): void;
  readonly args: JobArgs;
  readonly clock: Clock;
}

export interface SplitEnumerator<Split extends SourceSplit, Checkpoint> {
  /**
   * Called once, before the readers register (as in Flink): it may start discovery (`callAsync`)
   * or assign splits at once; assignments wait for their readers to register.
   */
  start(): void;
  /** Reader `subtaskId` asks for a split (pull model); it asks again after each split it finished. */
  handleSplitRequest(subtaskId: number): void;
  /** Reader `subtaskId` opened (on each attempt), after what was sent to it before received it; push-model enumerators assign here. */
  addReader(subtaskId: number): void;
  /** The state to restore this enumerator from: its unassigned splits (and whatever else it tracks), as plain JSON. */
  snapshotState(checkpointId: number): Checkpoint;
  handleSourceEvent?(subtaskId: number, event: SourceEvent): void;
  /** Reader `subtaskId` finished reading these splits (given as the reader last held them). */
  handleSplitsFinished?(subtaskId: number, splits: readonly Split[]): void;
  /** Checkpoint `checkpointId` completed: its snapshot is the one a restore would start from. */
  notifyCheckpointComplete?(checkpointId: number): void;
  /** Checkpoint `checkpointId` was aborted (declined, expired, or not persisted): its snapshot will never be restored. */
  notifyCheckpointAborted?(checkpointId: number): void;
  close?(): void;
}

/**
 * The output a split reader polls into (Flink's ReaderOutput). A reader that reads several splits
 * at once emits each split's records through that split's own output, so that event time is
 * tracked per split (Kafka's per-partition watermarks) and a finished split's output released.
 *
 * With a `WatermarkStrategy` given to `fromSource`, the watermark operator chained after the
 * source keeps one generator per split output (and one for records emitted on this output
 * directly): the stream's watermark is the minimum over them, splits whose generator is idle
 * (`withIdleness`) left out, and a released split no longer holds it back. Records still reach
 * the one main output; each carries its split's id to that operator (SplitTag).
 */
export interface ReaderOutput<T> extends SourceOutput<T> {
  /** The output for split `splitId`; the same one until released. */
  createOutputForSplit(splitId: string): SourceOutput<T>;
  /** Split `splitId` is finished (or removed): its output is no longer used. */
  releaseOutputForSplit(splitId: string): void;
}

/**
 * Where a split's output marks the record it hands on with the split's id, and says when a
 * split's output is released: the task's record context, read by the watermark operator.
 */
export interface SplitTag {
  split: string | undefined;
  onSplitReleased: ((splitId: string) => void) | undefined;
}

/**
 * A reader output over `main`: records of the reader and of every split's output go to `main`
 * (see ReaderOutput), those of a split's output marked with its id in `tag` while `main` takes
 * them. For code that polls a split reader itself (without a tag, splits are not told apart).
 */
export class SplitOutputs<T> implements ReaderOutput<T> {
  private readonly bySplit = new Map<string, SourceOutput<T>>();

  constructor(
    public main: SourceOutput<T>,
    private readonly tag?: SplitTag,
  ) {}

  collect(record: T): void {
    this.main.collect(record);
  }

  createOutputForSplit(splitId: string): SourceOutput<T> {
    let output = this.bySplit.get(splitId);
    if (output === undefined) {
      const tag = this.tag;
      output =
        tag === undefined
          ? { collect: (record) => this.main.collect(record) }
          : {
              collect: (record) => {
                const previous = tag.split;
                tag.split = splitId;
                try {
                  this.main.collect(record);
                } finally {
                  tag.split = previous;
                }
              },
            };
      this.bySplit.set(splitId, output);
    }
    return output;
  }

  releaseOutputForSplit(splitId: string): void {
    if (this.bySplit.delete(splitId)) this.tag?.onSplitReleased?.(splitId);
  }
}

export interface SplitReaderContext extends SourceReaderContext {
  /** Asks the enumerator for a split; the answer comes through `addSplits` or `notifyNoMoreSplits`. */
  sendSplitRequest(): void;
  sendSourceEventToCoordinator(event: SourceEvent): void;
  /** Tells the enumerator which splits this reader finished. */
  sendSplitsFinished(splits: readonly SourceSplit[]): void;
}

export interface SplitSourceReader<T, Split extends SourceSplit> {
  /** Called once, after the restored splits (if any) were added. */
  start(): void | Promise<void>;
  /** As SourceReader.pollNext: "end-of-input" once no more splits come and all of its splits are read. */
  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus;
  isAvailable(): Promise<void>;
  addSplits(splits: readonly Split[]): void;
  notifyNoMoreSplits(): void;
  /** This reader's unfinished splits, each with the position after the records emitted so far, as new plain objects. */
  snapshotState(checkpointId: number): Split[];
  handleSourceEvents?(event: SourceEvent): void;
  notifyCheckpointComplete?(checkpointId: number): void;
  /** This reader's counts of what it read (connector metrics); called between polls, at each progress report. */
  metrics?(): ConnectorMetrics;
  close?(): void | Promise<void>;
}

export interface SplitSource<T, Split extends SourceSplit, Checkpoint> {
  readonly boundedness: "bounded" | "unbounded";
  /** As Source.emitsOwnedRecords. */
  readonly emitsOwnedRecords?: boolean;
  /** Runs in the job master, once per attempt that starts from scratch. */
  createEnumerator(context: SplitEnumeratorContext<Split>): SplitEnumerator<Split, Checkpoint>;
  /** Runs in the job master, once per attempt that restores a checkpoint holding this enumerator's state. */
  restoreEnumerator(context: SplitEnumeratorContext<Split>, checkpoint: Checkpoint): SplitEnumerator<Split, Checkpoint>;
  /** Runs once per subtask, in the thread that runs it. */
  createReader(context: SplitReaderContext): SplitSourceReader<T, Split>;
}

/** What `fromSource` takes: a split-based source, or one whose readers each take their own share. */
export type AnySource<T> = Source<T> | SplitSource<T, SourceSplit, unknown>;

/** Whether a source is split-based (has an enumerator) rather than one reader per subtask taking its own share. */
export function isSplitSource<T>(source: AnySource<T>): source is SplitSource<T, SourceSplit, unknown> {
  return typeof (source as { createEnumerator?: unknown }).createEnumerator === "function";
}
