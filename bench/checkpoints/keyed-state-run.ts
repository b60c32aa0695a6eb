/**
 * Runs the keyed-state job (jobs/keyed-state.ts) on worker threads at parallelism 2 with
 * exactly-once checkpoints into a temp dir, and watches it: when its state holds every key (the
 * counting operator has taken in the whole fill, as progress reports show), and every checkpoint
 * that ends. The caller decides when to stop; an unbounded job never ends by itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JobCancelledError, runJob } from "../../src/index.ts";
import type { AttemptEvent, CheckpointStats, RestartStrategyConfig } from "../../src/index.ts";
import type { StateBackendName } from "../../src/state/state-backends.ts";
import type { StateRestoreReport } from "../../src/runtime/state-restore-report.ts";

const JOB = new URL("../jobs/keyed-state.ts", import.meta.url);
export const KEYED_STATE_PARALLELISM = 2;
/** The counting operator's name in progress reports (see the job). */
const COUNTING_OPERATOR = "count-per-key";
const PROGRESS_INTERVAL_MS = 200;
const POLL_INTERVAL_MS = 20;

export interface KeyedStateRunOptions {
  readonly keys: number;
  /** Records per second after the fill. */
  readonly updatesPerSecond: number;
  readonly intervalMs: number;
  /** The job is cancelled this long after it started, whatever the caller waits for. */
  readonly timeoutMs: number;
  readonly recoveryDir?: string;
  readonly restartStrategy?: RestartStrategyConfig;
  /** The keyed state backend; the default one when absent. */
  readonly stateBackend?: StateBackendName;
  /** Incremental checkpoints on or off; the backend's default when absent. */
  readonly incrementalCheckpoints?: boolean;
  /** Every checkpoint that completed or failed, with the run so far. */
  readonly onCheckpoint?: (stats: CheckpointStats, run: KeyedStateRunView) => void;
  readonly onAttempt?: (event: AttemptEvent) => void;
  /** Local recovery on, with the copies under this directory. */
  readonly localRecoveryDir?: string;
  readonly onStateRestored?: (report: StateRestoreReport) => void;
  /** Asked every few milliseconds; true cancels the job (the normal end of a run). */
  readonly done: (run: KeyedStateRunView) => boolean;
}

export interface KeyedStateRunView {
  /** Wall-clock ms (the coordinator's clock) when the state was seen to hold every key. */
  readonly filledAt: number | undefined;
  /** Records the counting operator has taken in so far (as the last progress report said). */
  readonly counted: number;
  /** Ended checkpoints, in the order they ended. */
  readonly checkpoints: readonly CheckpointStats[];
}

export interface KeyedStateRun extends KeyedStateRunView {
  readonly startedAt: number;
  readonly endedAt: number;
  /** The run hit `timeoutMs` before `done` said so. */
  readonly timedOut: boolean;
  /** The job failed (rather than being cancelled). */
  readonly error: Error | undefined;
}

export async function runKeyedStateJob(options: KeyedStateRunOptions): Promise<KeyedStateRun> {
  const checkpointDir = mkdtempSync(join(tmpdir(), "weir-bench-chk-"));
  const abort = new AbortController();
  const view: { filledAt: number | undefined; counted: number; checkpoints: CheckpointStats[] } = { filledAt: undefined, counted: 0, checkpoints: [] };
  const startedAt = Date.now();
  let timedOut = false;
  let error: Error | undefined;
  const timeout = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, options.timeoutMs);
  const poll = setInterval(() => {
    if (!abort.signal.aborted && options.done(view)) abort.abort();
  }, POLL_INTERVAL_MS);
  const args = ["--keys", String(options.keys), "--rate", String(options.updatesPerSecond)];
  if (options.recoveryDir !== undefined) args.push("--recovery-dir", options.recoveryDir);
  try {
    await runJob(JOB, {
      runtime: "threads",
      parallelism: KEYED_STATE_PARALLELISM,
      args,
      checkpointing: {
        intervalMs: options.intervalMs,
        mode: "exactly-once",
        dir: checkpointDir,
        ...(options.localRecoveryDir === undefined ? {} : { localRecovery: true, localRecoveryDir: options.localRecoveryDir }),
      },
      ...(options.restartStrategy === undefined ? {} : { restartStrategy: options.restartStrategy }),
      ...(options.stateBackend === undefined ? {} : { stateBackend: options.stateBackend }),
      ...(options.incrementalCheckpoints === undefined ? {} : { incrementalCheckpoints: options.incrementalCheckpoints }),
      signal: abort.signal,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onProgress: (progress) => {
        const counting = progress.operators.find((o) => o.name === COUNTING_OPERATOR);
        if (counting === undefined) return;
        view.counted = counting.recordsIn;
        if (view.filledAt === undefined && counting.recordsIn >= options.keys) view.filledAt = Date.now();
      },
      onCheckpoint: (stats) => {
        view.checkpoints.push(stats);
        options.onCheckpoint?.(stats, view);
      },
      ...(options.onAttempt === undefined ? {} : { onAttempt: options.onAttempt }),
      ...(options.onStateRestored === undefined ? {} : { onStateRestored: options.onStateRestored }),
    });
    error = new Error("the unbounded keyed-state job finished by itself");
  } catch (e) {
    if (!(e instanceof JobCancelledError && abort.signal.aborted)) error = e instanceof Error ? e : new Error(String(e));
  } finally {
    clearTimeout(timeout);
    clearInterval(poll);
    rmSync(checkpointDir, { recursive: true, force: true });
  }
  return { ...view, startedAt, endedAt: Date.now(), timedOut, error };
}
