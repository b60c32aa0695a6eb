/** Helpers that drive source readers by hand, as a source task would. */
import { JobArgs } from "../../src/api/job-args.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { Clock } from "../../src/core/clock.ts";
import type { InputStatus, SourceOutput, SourceReader, SourceReaderContext } from "../../src/sources/index.ts";
import { isSplitSource, type AnySource } from "../../src/sources/split-source.ts";
import { SplitSourceHarness } from "./split-harness.ts";

export function readerContext(subtaskIndex: number, parallelism: number, clock: Clock = new ManualClock()): SourceReaderContext {
  return { subtaskIndex, parallelism, args: new JobArgs(), clock };
}

/**
 * Subtask `subtaskIndex`'s reader. For a split-based source: its reader, opened, with an enumerator
 * of its own that no other reader registered with, as at the start of a job; closing the reader
 * closes that enumerator too (a periodic partition discovery would keep the process alive).
 */
export function createReader<T>(source: AnySource<T>, subtaskIndex = 0, parallelism = 1, clock?: Clock): SourceReader<T> {
  if (isSplitSource(source)) {
    const harness = new SplitSourceHarness(source, parallelism, undefined, clock);
    const reader = opened<T>(harness.open(subtaskIndex), (id) => harness.splitsOf(subtaskIndex, id));
    return {
      ...reader,
      close: async () => {
        try {
          await reader.close?.();
        } finally {
          harness.coordinator.close();
        }
      },
    };
  }
  return source.createReader(readerContext(subtaskIndex, parallelism, clock));
}

/** An opened split reader, without `open` (readers are opened once); `snapshotState` gives its splits. */
export function opened<T>(reader: SourceReader<unknown>, splits: (checkpointId: number) => unknown): SourceReader<T> {
  return {
    pollNext: (output, maxRecords) => reader.pollNext(output as SourceOutput<unknown>, maxRecords),
    isAvailable: () => reader.isAvailable(),
    snapshotState: (checkpointId) => splits(checkpointId ?? 1),
    metrics: () => reader.metrics?.(),
    close: () => reader.close?.(),
  };
}

export interface Poll<T> {
  readonly status: InputStatus;
  readonly records: T[];
}

export function poll<T>(reader: SourceReader<T>, maxRecords: number): Poll<T> {
  const records: T[] = [];
  const status = reader.pollNext({ collect: (record) => records.push(record) }, maxRecords);
  return { status, records };
}

/** Polls with `maxRecords` until end of input, waiting on `isAvailable()` whenever told to. */
export async function readToEnd<T>(reader: SourceReader<T>, maxRecords: number): Promise<T[]> {
  await reader.open?.();
  const records: T[] = [];
  const output = { collect: (record: T) => records.push(record) };
  while (true) {
    const before = records.length;
    const status = reader.pollNext(output, maxRecords);
    if (records.length - before > maxRecords) throw new Error(`a poll handed over more than ${maxRecords} records`);
    if (status === "end-of-input") break;
    if (status === "nothing-available") await reader.isAvailable();
  }
  await reader.close?.();
  return records;
}

/** Every subtask's records, subtask by subtask, for a source at `parallelism`. */
export async function readAllSubtasks<T>(source: AnySource<T>, parallelism: number, maxRecords: number): Promise<T[][]> {
  const readers = isSplitSource(source)
    ? new SplitSourceHarness(source, parallelism).openAll().map((driver) => opened<T>(driver, () => undefined))
    : Array.from({ length: parallelism }, (_, i) => createReader(source, i, parallelism));
  return Promise.all(readers.map((reader) => readToEnd(reader, maxRecords)));
}

/** Polls a reader that never waits until end of input; fails if it does not end within `limit` polls. */
export function drainSync<T>(reader: SourceReader<T>, maxRecords: number, limit = 1_000_000): T[] {
  const records: T[] = [];
  const output = { collect: (record: T) => records.push(record) };
  for (let polls = 0; polls < limit; polls++) {
    const before = records.length;
    const status = reader.pollNext(output, maxRecords);
    if (records.length - before > maxRecords) throw new Error(`a poll handed over more than ${maxRecords} records`);
    if (status === "end-of-input") return records;
    if (status === "nothing-available") throw new Error("the reader asked to wait");
  }
  throw new Error(`the reader did not end within ${limit} polls`);
}

export function sorted<T>(values: readonly T[], key: (value: T) => string | number = (v) => JSON.stringify(v)): T[] {
  return [...values].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}
