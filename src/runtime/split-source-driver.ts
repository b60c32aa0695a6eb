/**
 * Runs a split-based source's reader inside its source task, as Flink's SourceOperator does: it
 * hands the reader its restored splits, registers the reader with the enumerator, applies what
 * the enumerator sends (through the task's action queue, so in order with checkpoint triggers),
 * and keeps the reader's splits in the task's operator state, as a split-distributed list: a
 * restore deals the splits of every old reader out evenly to the new ones, whatever the old and
 * new parallelism (the runtime restores at the parallelism that wrote the checkpoint, for now).
 *
 * To the task it is a plain SourceReader.
 */
import type { ListState } from "../state/state.ts";
import type { OperatorStateStore } from "../state/operator-state.ts";
import { ListStateDescriptor } from "../state/descriptors.ts";
import type { ConnectorMetrics } from "./metrics.ts";
import { AVAILABLE, type InputStatus, type SourceOutput, type SourceReader } from "../sources/source.ts";
import { SplitOutputs, type SplitTag, type SourceSplit, type SplitSource, type SplitReaderContext, type SplitSourceReader } from "../sources/split-source.ts";
import type { SourceReaderContext } from "../sources/source.ts";
import type { EnumeratorToReader, ReaderToEnumerator } from "./source-events.ts";

/** The operator list state that holds a split reader's splits. */
export const SOURCE_SPLITS_STATE = "weir.source-splits";

export class SplitSourceDriver implements SourceReader<unknown> {
  private readonly reader: SplitSourceReader<unknown, SourceSplit>;
  private readonly splits: ListState<SourceSplit>;
  /** Resolves a task waiting on `isAvailable()` when the enumerator's answer arrives. */
  private wakeOnEvent: (() => void) | undefined;
  private waiting: { readonly reader: Promise<void>; readonly either: Promise<void> } | undefined;
  private readonly readerOutput: SplitOutputs<unknown>;

  constructor(
    source: SplitSource<unknown, SourceSplit, unknown>,
    context: SourceReaderContext,
    store: OperatorStateStore,
    private readonly send: (message: ReaderToEnumerator) => void,
    /** The task's record context: split outputs mark their records in it (per-split watermarks). */
    tag?: SplitTag,
  ) {
    this.readerOutput = new SplitOutputs<unknown>({ collect: () => {} }, tag);
    this.splits = store.getListState(new ListStateDescriptor<SourceSplit>(SOURCE_SPLITS_STATE));
    const readerContext: SplitReaderContext = {
      subtaskIndex: context.subtaskIndex,
      parallelism: context.parallelism,
      args: context.args,
      clock: context.clock,
      sendSplitRequest: () => send({ kind: "request" }),
      sendSourceEventToCoordinator: (event) => send({ kind: "event", event }),
      sendSplitsFinished: (splits) => send({ kind: "finished", splits: [...splits] }),
    };
    this.reader = source.createReader(readerContext);
  }

  async open(): Promise<void> {
    const restored = this.splits.get();
    if (restored.length > 0) this.reader.addSplits(restored);
    this.send({ kind: "register" });
    await this.reader.start();
  }

  pollNext(output: SourceOutput<unknown>, maxRecords: number): InputStatus {
    // The task hands the same output to every poll; set it anyway, it costs nothing.
    const readerOutput = this.readerOutput;
    readerOutput.main = output;
    return this.reader.pollNext(readerOutput, maxRecords);
  }

  /** The reader's own promise raced with the enumerator's next message; the same promise while both are pending. */
  isAvailable(): Promise<void> {
    const reader = this.reader.isAvailable();
    if (reader === AVAILABLE) return AVAILABLE;
    if (this.waiting?.reader !== reader) {
      const event = new Promise<void>((resolve) => (this.wakeOnEvent = resolve));
      this.waiting = { reader, either: Promise.race([reader, event]) };
    }
    return this.waiting.either;
  }

  metrics(): ConnectorMetrics | undefined {
    return this.reader.metrics?.();
  }

  /** Stores the reader's splits with their positions in the operator state the task snapshots next. */
  snapshotState(checkpointId: number): undefined {
    this.splits.update(this.reader.snapshotState(checkpointId));
    return undefined;
  }

  handleEnumeratorEvent(message: EnumeratorToReader): void {
    switch (message.kind) {
      case "splits":
        this.reader.addSplits(message.splits);
        break;
      case "no-more-splits":
        this.reader.notifyNoMoreSplits();
        break;
      case "event":
        this.reader.handleSourceEvents?.(message.event);
        break;
    }
    const wake = this.wakeOnEvent;
    this.wakeOnEvent = undefined;
    this.waiting = undefined;
    wake?.();
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.reader.notifyCheckpointComplete?.(checkpointId);
  }

  close(): void | Promise<void> {
    return this.reader.close?.();
  }
}
