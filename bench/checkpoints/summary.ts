/**
 * Pure arithmetic of the checkpoint benchmarks: which checkpoints count, their percentiles, the
 * recovery time from the timestamps a job recorded. No I/O, no clock.
 */
import type { CheckpointStats } from "../../src/index.ts";
import type { StateRestoreReport } from "../../src/runtime/state-restore-report.ts";
import { median, percentile } from "../stats.ts";

export interface DurationSummary {
  /** Completed checkpoints summarized. */
  readonly checkpoints: number;
  /** End to end (trigger to completion), nearest-rank percentiles over the checkpoints. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Per checkpoint the slowest task's synchronous phase, then the median over checkpoints. */
  readonly syncP50Ms: number;
  /** Per checkpoint the slowest task's asynchronous phase, then the median over checkpoints. */
  readonly asyncP50Ms: number;
  /** Median bytes written per checkpoint, over all tasks. */
  readonly bytes: number;
}

/** Completed checkpoints triggered at or after `from` (the coordinator's clock), oldest first. */
export function completedSince(stats: Iterable<CheckpointStats>, from: number): CheckpointStats[] {
  return [...stats].filter((s) => s.status === "completed" && s.triggerTime >= from).sort((a, b) => a.id - b.id);
}

const slowestTask = (s: CheckpointStats, phase: "syncDurationMs" | "asyncDurationMs"): number => Math.max(0, ...s.tasks.map((t) => t[phase]));

export function summarizeDurations(completed: readonly CheckpointStats[]): DurationSummary {
  return {
    checkpoints: completed.length,
    p50Ms: percentile(completed.map((s) => s.durationMs!), 50),
    p99Ms: percentile(completed.map((s) => s.durationMs!), 99),
    syncP50Ms: median(completed.map((s) => slowestTask(s, "syncDurationMs"))),
    asyncP50Ms: median(completed.map((s) => slowestTask(s, "asyncDurationMs"))),
    bytes: median(completed.map((s) => s.bytes)),
  };
}

export interface RecoveryTimes {
  /** From the failure to the first record any restored subtask processed. */
  readonly firstMs: number;
  /** From the failure until every restored subtask processed a record. */
  readonly allMs: number;
}

/** Times from `failedAt` to the first record of each restored subtask (wall-clock ms, any thread), rounded to ms. */
export function recoveryTimes(failedAt: number, recoveredAt: readonly number[]): RecoveryTimes {
  if (recoveredAt.length === 0) return { firstMs: Number.NaN, allMs: Number.NaN };
  return { firstMs: Math.round(Math.min(...recoveredAt) - failedAt), allMs: Math.round(Math.max(...recoveredAt) - failedAt) };
}

export interface RestoreRate {
  /** Bytes of state files read by all threads. */
  readonly bytes: number;
  /** Files read from local copies, and from the checkpoint storage. */
  readonly localFiles: number;
  readonly storageFiles: number;
  /** State kept inside the checkpoint's _metadata (small operator state): read from neither. */
  readonly inlineFiles: number;
  /** From the first thread starting to read state to the last one's tasks holding it (wall clock). */
  readonly restoreMs: number;
  /** CPU time of the whole process over that window. */
  readonly cpuMs: number;
  /** Restored MB (10^6 bytes) per CPU second of the process over the window (see bench/README.md). */
  readonly mbPerSecondPerCore: number;
  /** Restored MB per second of the window per restoring thread: the same rate by wall clock. */
  readonly mbPerSecondPerThread: number;
}

/** The restore rate of one attempt, from the reports of its restoring threads; undefined without any. */
export function restoreRate(reports: readonly StateRestoreReport[]): RestoreRate | undefined {
  if (reports.length === 0) return undefined;
  const files = reports.flatMap((r) => r.files);
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const restoreMs = Math.max(...reports.map((r) => r.endedAt)) - Math.min(...reports.map((r) => r.startedAt));
  const cpuMs = (Math.max(...reports.map((r) => r.processCpuEndMicros)) - Math.min(...reports.map((r) => r.processCpuStartMicros))) / 1000;
  return {
    bytes,
    localFiles: files.filter((f) => f.source === "local").length,
    storageFiles: files.filter((f) => f.source === "storage").length,
    inlineFiles: files.filter((f) => f.source === "inline").length,
    restoreMs: Math.round(restoreMs),
    cpuMs: Math.round(cpuMs),
    mbPerSecondPerCore: bytes / 1e6 / (cpuMs / 1000),
    mbPerSecondPerThread: bytes / 1e6 / ((restoreMs / 1000) * reports.length),
  };
}

/** Issue 10's targets for checkpoint durations: at the largest state, and against a state a tenth of it. */
export const DURATION_TARGETS = { p50Ms: 300, p99Ms: 1000, maxP99Ratio: 2 } as const;

export interface DurationVerdict {
  readonly keys: number;
  readonly p50Met: boolean;
  readonly p99Met: boolean;
  /** The state a tenth of `keys` the p99 is compared with; absent when no row has it. */
  readonly comparedKeys?: number;
  /** p99 at `keys` / p99 at `comparedKeys`. */
  readonly p99Ratio?: number;
  readonly p99RatioMet?: boolean;
}

/** The targets met by the row of the most keys (the p99 ratio against the row of a tenth of them); undefined without rows. */
export function durationVerdict(rows: readonly { readonly keys: number; readonly p50Ms: number; readonly p99Ms: number }[]): DurationVerdict | undefined {
  const largest = rows.reduce<(typeof rows)[number] | undefined>((most, r) => (most === undefined || r.keys > most.keys ? r : most), undefined);
  if (largest === undefined) return undefined;
  const verdict = { keys: largest.keys, p50Met: largest.p50Ms <= DURATION_TARGETS.p50Ms, p99Met: largest.p99Ms <= DURATION_TARGETS.p99Ms };
  const tenth = rows.find((r) => r.keys * 10 === largest.keys);
  if (tenth === undefined) return verdict;
  const p99Ratio = largest.p99Ms / tenth.p99Ms;
  return { ...verdict, comparedKeys: tenth.keys, p99Ratio, p99RatioMet: p99Ratio <= DURATION_TARGETS.maxP99Ratio };
}
