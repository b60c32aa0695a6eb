/**
 * What one thread of an attempt restored: each state file it read and where from (its local copy
 * or the checkpoint storage, and why not the local copy), and how long reading, checking, decoding
 * and loading the state into its tasks took. Run options hear it as `onStateRestored`; `weir run`
 * prints it (see describeStateRestore).
 */
import type { RestoredFile } from "./restored-states.ts";

export interface StateRestoreReport {
  /** The thread (worker index; 0 for the single-thread runtime). */
  readonly worker: number;
  readonly checkpointId: number;
  readonly files: readonly RestoredFile[];
  /** Wall-clock milliseconds since the epoch: the thread started reading state, and its tasks held all of it. */
  readonly startedAt: number;
  readonly endedAt: number;
  /**
   * CPU time of the whole process (user + system, every thread, microseconds) at those two
   * moments, as `process.cpuUsage()` reads it: comparable between the threads of one process.
   */
  readonly processCpuStartMicros: number;
  readonly processCpuEndMicros: number;
}

/** A clock for the report: wall-clock ms and the process's CPU microseconds, now. */
export function restoreClockReading(): { readonly at: number; readonly cpuMicros: number } {
  const cpu = process.cpuUsage();
  return { at: performance.timeOrigin + performance.now(), cpuMicros: cpu.user + cpu.system };
}

export function restoredBytes(report: Pick<StateRestoreReport, "files">, source?: RestoredFile["source"]): number {
  let bytes = 0;
  for (const file of report.files) if (source === undefined || file.source === source) bytes += file.bytes;
  return bytes;
}
