/**
 * Checkpoint duration against state size: the keyed-state job fills its state with `keys` keys,
 * then updates random keys at a steady rate while checkpoints run at an interval. Checkpoints
 * triggered before the state held every key are left out; the run stops after `checkpoints`
 * completed ones.
 */
import { completedSince, summarizeDurations } from "./summary.ts";
import { runKeyedStateJob } from "./keyed-state-run.ts";

export interface DurationSettings {
  readonly checkpoints: number;
  readonly intervalMs: number;
  readonly updatesPerSecond: number;
  readonly timeoutMs: number;
  /** Incremental checkpoints on or off; the backend's default when absent. */
  readonly incrementalCheckpoints?: boolean;
}

export interface DurationRow {
  readonly keys: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly syncP50Ms: number;
  readonly asyncP50Ms: number;
  readonly bytes: number;
  /** Completed checkpoints measured (after the fill). */
  readonly checkpoints: number;
  /** From the start of the job until its state held every key, checkpoints running meanwhile. */
  readonly fillMs: number | undefined;
  readonly note?: string;
}

export async function measureDuration(keys: number, settings: DurationSettings): Promise<DurationRow> {
  const run = await runKeyedStateJob({
    keys,
    updatesPerSecond: settings.updatesPerSecond,
    intervalMs: settings.intervalMs,
    timeoutMs: settings.timeoutMs,
    ...(settings.incrementalCheckpoints === undefined ? {} : { incrementalCheckpoints: settings.incrementalCheckpoints }),
    done: (view) => view.filledAt !== undefined && completedSince(view.checkpoints, view.filledAt).length >= settings.checkpoints,
  });
  const measured = run.filledAt === undefined ? [] : completedSince(run.checkpoints, run.filledAt).slice(0, settings.checkpoints);
  const summary = summarizeDurations(measured);
  const lastMeasured = measured.at(-1)?.id ?? Number.POSITIVE_INFINITY;
  const failed = run.checkpoints.filter((s) => s.status === "failed" && run.filledAt !== undefined && s.triggerTime >= run.filledAt && s.id < lastMeasured);
  const problems: string[] = [];
  if (run.error !== undefined) problems.push(`the job failed: ${run.error.message}`);
  if (run.timedOut) {
    const at = `${((run.endedAt - run.startedAt) / 1000).toFixed(0)} s`;
    problems.push(
      run.filledAt === undefined
        ? `stopped after ${at}: the state never held all ${keys} keys`
        : `stopped after ${at} with ${measured.length} of ${settings.checkpoints} checkpoints after the fill`,
    );
  }
  if (failed.length > 0) problems.push(`${failed.length} checkpoint(s) after the fill failed: ${failed.map((s) => `${s.id} (${s.failure?.kind ?? "unknown"})`).join(", ")}`);
  const row: DurationRow = {
    keys,
    p50Ms: summary.p50Ms,
    p99Ms: summary.p99Ms,
    syncP50Ms: summary.syncP50Ms,
    asyncP50Ms: summary.asyncP50Ms,
    bytes: summary.bytes,
    checkpoints: summary.checkpoints,
    fillMs: run.filledAt === undefined ? undefined : run.filledAt - run.startedAt,
  };
  return problems.length === 0 ? row : { ...row, note: problems.join("; ") };
}
