/**
 * The common part of a split reader (after Flink's SourceReaderBase): the splits it holds, in the
 * order they came, "no more splits", and waking a task that waits for either. A reader asks for a
 * split when it starts without one and whenever it finished all it held, and tells the
 * enumerator of every split it finishes. It ends once no more splits come and all were read.
 *
 * A subclass reads the splits (`readSplits`), says which it finished (`finishSplit`), and turns a
 * split it holds into plain data with its position (`snapshotSplit`).
 */
import { AVAILABLE, type InputStatus, type SourceOutput } from "./source.ts";
import type { SourceSplit, SplitReaderContext, SplitSourceReader } from "./split-source.ts";

export abstract class SourceReaderBase<T, Split extends SourceSplit> implements SplitSourceReader<T, Split> {
  /** Unfinished splits, in the order they were added. */
  protected readonly splits: Split[] = [];
  private noMoreSplits = false;
  private waiter: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;

  constructor(protected readonly context: SplitReaderContext) {}

  start(): void | Promise<void> {
    if (this.splits.length === 0) this.context.sendSplitRequest();
  }

  addSplits(splits: readonly Split[]): void {
    for (const split of splits) this.splits.push(this.adopt(split));
    this.wake();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wake();
  }

  pollNext(output: SourceOutput<T>, maxRecords: number): InputStatus {
    if (this.splits.length > 0) {
      const status = this.readSplits(output, maxRecords);
      if (this.splits.length > 0 || status !== "more-available") return status;
    }
    return this.noMoreSplits ? "end-of-input" : "nothing-available";
  }

  isAvailable(): Promise<void> {
    if (this.splits.length > 0) return this.splitsAvailable();
    if (this.noMoreSplits) return AVAILABLE;
    this.waiter ??= promiseWithResolve();
    return this.waiter.promise;
  }

  snapshotState(_checkpointId: number): Split[] {
    return this.splits.map((split) => this.snapshotSplit(split));
  }

  /**
   * Reads from the splits held: at most `maxRecords` records. "more-available" when it may go on at
   * once (also after finishing its last split), "nothing-available" when `splitsAvailable()` says when.
   */
  protected abstract readSplits(output: SourceOutput<T>, maxRecords: number): InputStatus;

  /** Plain data for `split` with its current position: what a reader restored from it continues from. */
  protected abstract snapshotSplit(split: Split): Split;

  /** The split as this reader keeps it (a copy it may change); the split itself by default. */
  protected adopt(split: Split): Split {
    return { ...split };
  }

  /** When reading the held splits can make progress again; at once by default. */
  protected splitsAvailable(): Promise<void> {
    return AVAILABLE;
  }

  /** `split` was read to its end: it leaves this reader, and the enumerator hears of it. */
  protected finishSplit(split: Split): void {
    const index = this.splits.indexOf(split);
    if (index === -1) return;
    this.splits.splice(index, 1);
    this.context.sendSplitsFinished([this.snapshotSplit(split)]);
    if (this.splits.length === 0 && !this.noMoreSplits) this.context.sendSplitRequest();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve();
  }
}

function promiseWithResolve(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
