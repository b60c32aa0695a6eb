/**
 * Runs a split-based source by hand, as the runtime does: its enumerator in a SourceCoordinator,
 * each reader in a SplitSourceDriver with its splits in operator state; messages are delivered at
 * once, in the order they are sent.
 */
import { JobArgs } from "../../src/api/job-args.ts";
import { ManualClock, type Clock } from "../../src/core/clock.ts";
import type { JsonValue } from "../../src/checkpoint/storage/checkpoint-metadata.ts";
import { SourceCoordinator } from "../../src/runtime/master/source-coordinator.ts";
import type { EnumeratorToReader } from "../../src/runtime/source-events.ts";
import { SOURCE_SPLITS_STATE, SplitSourceDriver } from "../../src/runtime/split-source-driver.ts";
import { DefaultOperatorStateStore } from "../../src/state/operator/operator-state-store.ts";
import { repartitionOperatorState } from "../../src/state/operator/operator-state-repartitioner.ts";
import type { OperatorStateSnapshot } from "../../src/state/operator/operator-state-snapshot.ts";
import type { SourceSplit, SplitSource } from "../../src/sources/split-source.ts";

/** What a checkpoint of a split source holds: the enumerator's state and each reader's operator state. */
export interface SplitSourceCheckpoint {
  readonly enumerator: JsonValue;
  readonly readers: readonly (OperatorStateSnapshot | undefined)[];
}

/** A checkpoint in which one reader held `splits` and the enumerator had `enumerator` left. */
export function checkpointOf(enumerator: JsonValue, ...readers: (readonly SourceSplit[])[]): SplitSourceCheckpoint {
  return { enumerator, readers: readers.map((splits) => ({ lists: [[SOURCE_SPLITS_STATE, "split", [...splits]]], broadcast: [] })) };
}

export class SplitSourceHarness<T> {
  readonly coordinator: SourceCoordinator;
  readonly readers: (SplitSourceDriver | undefined)[];
  private readonly stores: DefaultOperatorStateStore[];
  /** Each opened reader's `open()`, to see it fail. */
  readonly opening: Promise<void>[] = [];
  /** Messages from the enumerator that are held back (see `holdMessages`), by subtask. */
  private held: [number, EnumeratorToReader][] | undefined;

  constructor(
    source: SplitSource<T, SourceSplit, unknown>,
    readonly parallelism: number,
    restore?: SplitSourceCheckpoint,
    clock: Clock = new ManualClock(),
  ) {
    const parts = restore === undefined ? undefined : repartitionOperatorState(restore.readers, parallelism);
    this.stores = Array.from({ length: parallelism }, (_, i) => new DefaultOperatorStateStore(parts?.[i]));
    this.readers = Array<SplitSourceDriver | undefined>(parallelism).fill(undefined);
    const args = new JobArgs([]);
    this.coordinator = new SourceCoordinator("source", "test source", 0, parallelism, source as SplitSource<unknown, SourceSplit, unknown>, restore?.enumerator, {
      args,
      clock,
      toReader: (taskId, message) => {
        const subtask = Number(taskId.split(":")[1]);
        if (this.held !== undefined) this.held.push([subtask, message]);
        else this.readers[subtask]!.handleEnumeratorEvent(message);
      },
    });
    this.coordinator.start();
    this.sourceClock = clock;
    this.source = source;
  }

  private readonly sourceClock: Clock;
  private readonly source: SplitSource<T, SourceSplit, unknown>;

  /** Creates and opens reader `subtask` (it registers and may ask for splits). */
  open(subtask: number): SplitSourceDriver {
    const driver = new SplitSourceDriver(
      this.source as SplitSource<unknown, SourceSplit, unknown>,
      { subtaskIndex: subtask, parallelism: this.parallelism, args: new JobArgs([]), clock: this.sourceClock },
      this.stores[subtask]!,
      (message) => this.coordinator.handle(subtask, message),
    );
    this.readers[subtask] = driver;
    const opening = driver.open();
    opening.catch(() => {});
    this.opening[subtask] = opening;
    return driver;
  }

  openAll(): SplitSourceDriver[] {
    return Array.from({ length: this.parallelism }, (_, i) => this.open(i));
  }

  /** From now on the enumerator's messages wait until `release()`, as messages in flight do. */
  holdMessages(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [subtask, message] of held) this.readers[subtask]!.handleEnumeratorEvent(message);
  }

  /** The enumerator's snapshot, taken first, as a checkpoint trigger does. */
  snapshotEnumerator(checkpointId: number): JsonValue {
    return this.coordinator.snapshotState(checkpointId);
  }

  /** Reader `subtask`'s snapshot: its operator state with its splits. */
  snapshotReader(subtask: number, checkpointId: number): OperatorStateSnapshot | undefined {
    this.readers[subtask]?.snapshotState(checkpointId);
    return structuredClone(this.stores[subtask]!.snapshot());
  }

  /** The splits reader `subtask` holds, with their positions, as its snapshot stores them. */
  splitsOf(subtask: number, checkpointId = 1): SourceSplit[] {
    const lists = this.snapshotReader(subtask, checkpointId)?.lists ?? [];
    return (lists.find(([name]) => name === SOURCE_SPLITS_STATE)?.[2] ?? []) as SourceSplit[];
  }

  /** A whole checkpoint, with nothing in flight: the enumerator first, then every reader. */
  checkpoint(checkpointId: number): SplitSourceCheckpoint {
    const enumerator = this.snapshotEnumerator(checkpointId);
    return { enumerator, readers: this.readers.map((_, i) => this.snapshotReader(i, checkpointId)) };
  }
}
