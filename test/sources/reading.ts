/** Helpers that drive source readers by hand, as a source task would. */
import { JobArgs } from "../../src/api/job-args.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { Clock } from "../../src/core/clock.ts";
import type { InputStatus, Source, SourceReader, SourceReaderContext } from "../../src/sources/index.ts";

export function readerContext(subtaskIndex: number, parallelism: number, clock: Clock = new ManualClock()): SourceReaderContext {
  return { subtaskIndex, parallelism, args: new JobArgs(), clock };
}

export function createReader<T>(source: Source<T>, subtaskIndex = 0, parallelism = 1, clock?: Clock): SourceReader<T> {
  return source.createReader(readerContext(subtaskIndex, parallelism, clock));
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
export async function readAllSubtasks<T>(source: Source<T>, parallelism: number, maxRecords: number): Promise<T[][]> {
  const readers = Array.from({ length: parallelism }, (_, i) => createReader(source, i, parallelism));
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
