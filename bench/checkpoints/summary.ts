/**
 * Pure arithmetic of the checkpoint benchmarks: which checkpoints count, their percentiles, the
 * recovery time from the timestamps a job recorded. No I/O, no clock.
 */
import type { CheckpointStats } from "../../src/index.ts";
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
