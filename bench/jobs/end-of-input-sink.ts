/**
 * The throughput benchmark's sink: drops every record, like `discardingSink`, or keeps them when
 * the benchmark checks the query's results, and when its input ends hands the process that runs
 * the job one `EndOfInputReport` per subtask (`JobResult.collected(uid)`): the wall-clock time
 * (milliseconds, comparable across threads), the process's CPU time and the kept records in canonical form. The time is
 * taken before the records are formatted, so the benchmark times processing up to it, without the
 * report or the job's shutdown after it.
 */
import type { Sink } from "../../src/index.ts";
import { canonical } from "../queries/results.ts";

export interface EndOfInputReport {
  readonly endOfInputMs: number;
  /** CPU milliseconds the process (every thread) had used at that time. */
  readonly cpuMs: number;
  /** The records written, each `canonical(record)`; absent when the sink dropped them. */
  readonly results?: string[];
}

export function endOfInputSink<T>(options: { readonly keepResults?: boolean } = {}): Sink<T> {
  const keep = options.keepResults === true;
  return {
    // A sink that keeps records gets copies of its own where the engine protects records.
    readsRecordsOnly: !keep,
    createWriter: (context) => {
      const kept: T[] = [];
      return {
        write: keep ? (record) => void kept.push(record) : () => {},
        flush: () => {
          const endOfInputMs = performance.timeOrigin + performance.now();
          const cpuMs = processCpuMs();
          const report: EndOfInputReport = keep ? { endOfInputMs, cpuMs, results: kept.map(canonical) } : { endOfInputMs, cpuMs };
          context.client.send(context.operatorId, [report]);
        },
      };
    },
  };
}

/** CPU milliseconds the process has used, all its threads together (the same figure on every thread). */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The records every subtask kept, canonical, in one list; undefined when the sink dropped them. */
export function keptResults(reports: readonly EndOfInputReport[]): string[] | undefined {
  return reports.some((r) => r.results !== undefined) ? reports.flatMap((r) => r.results ?? []) : undefined;
}
