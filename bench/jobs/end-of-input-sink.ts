/**
 * The throughput benchmark's sink: drops every record, like `discardingSink`, or keeps them when
 * the benchmark checks the query's results, and when its input ends hands the process that runs
 * the job one `EndOfInputReport` per subtask (`JobResult.collected(uid)`): the wall-clock time
 * (milliseconds, comparable across threads), the process's CPU time and the kept records in canonical form. The time is
 * taken before the records are formatted, so the benchmark times processing up to it, without the
 * report or the job's shutdown after it.
 *
 * With `markAfter`, each subtask also notes the time and CPU time when its `markAfter`-th record
 * arrived, so the benchmark can time the rest of the run apart: the engine's code compiled and its
 * state grown by then, as the hand-written loop is timed after a run that warms it up.
 */
import type { Sink } from "../../src/index.ts";
import { canonical } from "../queries/results.ts";

export interface EndOfInputReport {
  readonly endOfInputMs: number;
  /** CPU milliseconds the process (every thread) had used at that time. */
  readonly cpuMs: number;
  /** Records this subtask received. */
  readonly records: number;
  /** When the `markAfter`-th record arrived, as `endOfInputMs` and `cpuMs` are; absent if it did not. */
  readonly mark?: { readonly ms: number; readonly cpuMs: number };
  /** The records written, each `canonical(record)`; absent when the sink dropped them. */
  readonly results?: string[];
}

export function endOfInputSink<T>(options: { readonly keepResults?: boolean; readonly markAfter?: number } = {}): Sink<T> {
  const keep = options.keepResults === true;
  const markAfter = options.markAfter ?? 0;
  return {
    // A sink that keeps records gets copies of its own where the engine protects records.
    readsRecordsOnly: !keep,
    createWriter: (context) => {
      const kept: T[] = [];
      let records = 0;
      let mark: EndOfInputReport["mark"];
      return {
        write: (record) => {
          if (++records === markAfter) mark = { ms: wallClockMs(), cpuMs: processCpuMs() };
          if (keep) kept.push(record);
        },
        flush: () => {
          const endOfInputMs = wallClockMs();
          const cpuMs = processCpuMs();
          const report: EndOfInputReport = { endOfInputMs, cpuMs, records, ...(mark === undefined ? {} : { mark }), ...(keep ? { results: kept.map(canonical) } : {}) };
          context.client.send(context.operatorId, [report]);
        },
      };
    },
  };
}

/** Wall-clock milliseconds, comparable across threads. */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

/** CPU milliseconds the process has used, all its threads together (the same figure on every thread). */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The records every subtask kept, canonical, in one list; undefined when the sink dropped them. */
export function keptResults(reports: readonly EndOfInputReport[]): string[] | undefined {
  return reports.some((r) => r.results !== undefined) ? reports.flatMap((r) => r.results ?? []) : undefined;
}
