/**
 * The common part of a split reader (after Flink's SourceReaderBase): the splits it holds, in the
 * order they came, "no more splits", and waking a task that waits for either. A reader asks for a
 * split when it starts without one and whenever it finished all it held, and tells the
 * enumerator of every split it finishes. It ends once no more splits come and all were read.
 *
 * A subclass reads the splits (`readSplits`), says which it finished (`finishSplit`), and turns a
 * split it holds into plain data with its position (`snapshotSplit`). It holds each split as its
 * own copy whose fields it may change (`HeldSplit`), to move the split's position as it reads.
 */
import { invalidArgument } from "../core/errors.ts";
import { AVAILABLE, type InputStatus } from "./source.ts";
import type { ReaderOutput, SourceSplit, SplitReaderContext, SplitSourceReader } from "./split-source.ts";

/** A split as a reader holds it: its own copy, whose position fields it changes as it reads. */
export type HeldSplit<Split extends SourceSplit> = { -readonly [K in keyof Split]: Split[K] };

export abstract class SourceReaderBase<T, Split extends SourceSplit> implements SplitSourceReader<T, Split> {
  /** Unfinished splits, in the order they were added. */
  protected readonly splits: HeldSplit<Split>[] = [];
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

  pollNext(output: ReaderOutput<T>, maxRecords: number): InputStatus {
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
  protected abstract readSplits(output: ReaderOutput<T>, maxRecords: number): InputStatus;

  /** Plain data for `split` with its current position: what a reader restored from it continues from. */
  protected abstract snapshotSplit(split: HeldSplit<Split>): Split;

  /** The split as this reader keeps it: a copy it may change (a subclass also checks it here, with `checkSplit`). */
  protected adopt(split: Split): HeldSplit<Split> {
    return { ...split };
  }

  /** When reading the held splits can make progress again; at once by default. */
  protected splitsAvailable(): Promise<void> {
    return AVAILABLE;
  }

  /** `split` was read to its end: it leaves this reader, and the enumerator hears of it. */
  protected finishSplit(split: HeldSplit<Split>): void {
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

/**
 * Refuses a split handed to a reader (from a checkpoint or an enumerator) that has no string
 * `splitId` or whose fields `isValid` rejects, with WEIR_ERR_INVALID_ARGUMENT saying it is not
 * `kind` and what such a split `needs`.
 */
export function checkSplit<Split extends SourceSplit>(split: Split, isValid: (split: Split) => boolean, kind: string, needs: string): void {
  if (typeof split?.splitId !== "string" || !isValid(split)) throw invalidArgument(`split ${JSON.stringify(split)} is not ${kind}: it needs a splitId and ${needs}`);
}

/** Whether `value` is a whole number of at least 0 (a byte offset, an index). */
export function isWholeNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A promise and the function that resolves it, for a reader to hand out while it waits and resolve when it may go on. */
export function promiseWithResolve(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
