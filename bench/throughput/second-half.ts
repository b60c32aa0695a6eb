/**
 * The engine's rates over the second half of a run: from when a sink subtask got its
 * `markAfter`-th record until the end of input, when the engine's code has been compiled and its
 * state has grown, as the hand-written loop is timed after a run that warms it up. Pure arithmetic
 * over the sink's reports (../jobs/end-of-input-sink.ts).
 *
 * The window starts at the earliest mark, and only the records each subtask got after its own mark
 * count as the window's, so at p > 1 the estimate errs low: a subtask that had not reached its mark
 * by then processed more in the window than counted, and one that never reached it counts none. It
 * errs high only by the records in flight at the mark (buffered between tasks, part of their work
 * done before it): a batch or a few per channel, under 1% of a half of these runs.
 * Events are counted in proportion to records (every query measured so emits per event alike).
 */
import type { EndOfInputReport } from "../jobs/end-of-input-sink.ts";

/** Queries whose output comes evenly with their input, so that a count of records marks progress. */
export const SECOND_HALF_QUERIES: ReadonlySet<string> = new Set(["q0", "q1", "q2", "keyed-count"]);

export interface SecondHalfRates {
  readonly eventsPerSecond: number;
  readonly cpuEventsPerSecond: number;
}

/** The rates after the marks, or undefined when no subtask reached its mark. */
export function secondHalfRates(reports: readonly EndOfInputReport[], events: number, markAfter: number): SecondHalfRates | undefined {
  const marked = reports.filter((r) => r.mark !== undefined);
  if (marked.length === 0 || markAfter <= 0) return undefined;
  const first = marked.reduce((a, b) => (b.mark!.ms < a.mark!.ms ? b : a)).mark!;
  const total = reports.reduce((sum, r) => sum + r.records, 0);
  const after = marked.reduce((sum, r) => sum + r.records - markAfter, 0);
  const windowEvents = (events * after) / total;
  const end = Math.max(...reports.map((r) => r.endOfInputMs));
  const endCpu = Math.max(...reports.map((r) => r.cpuMs));
  return { eventsPerSecond: windowEvents / ((end - first.ms) / 1000), cpuEventsPerSecond: windowEvents / ((endCpu - first.cpuMs) / 1000) };
}

/** The record count at which each of `parallelism` sink subtasks marks its run's half, from the records the whole run emits. */
export function halfOfEachSubtask(emitted: number, parallelism: number): number {
  return Math.floor(emitted / parallelism / 2);
}
